package dev.ferry.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The transfers a {@link JdbcLedger#oneCommit} scope accepted, held in memory until the scope commits. No other
 * connection could see their rows before that commit anyway, so each is written once, in its final state, instead
 * of being looked up, inserted and then updated by every step: accepted, planned, segment done, published were
 * eight statements and four savepoints for a small file, and most of a batch's time in the database. A transfer
 * the table already has (the same file sent before) starts afresh here, and the commit updates its row.
 *
 * <p>Every change is checked before it is made, so a refused one leaves the rows as they were, as the savepoint of
 * a written row would. Only the scope's own thread uses it. Work that needs SQL on a row (splitting a segment, a
 * query over all transfers) has the ledger write the row first ({@link #written}).
 */
final class ScopedRows {

    /** One transfer's row and its segments, as they would stand in the tables. */
    static final class Row {
        TransferRecord record;
        final List<SegmentRecord> segments = new ArrayList<>();

        Row(TransferRecord record) {
            this.record = record;
        }
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();

    boolean isEmpty() {
        return rows.isEmpty();
    }

    boolean has(String id) {
        return rows.containsKey(id);
    }

    /** A transfer accepted at {@code now}, from nothing; a row the table has for it is brought up to date at commit. */
    void born(TransferRecord r, Instant now) {
        rows.put(r.id(), new Row(new TransferRecord(r.id(), r.direction(), r.server(), r.remotePath(), r.localPath(),
                TransferStatus.ACCEPTED, -1, -1, r.request(), null, 0, 0, now, now, r.tree(), -1)));
    }

    /**
     * {@link JdbcLedger#accept} of a transfer this scope created: the same rules as for a row in the table, and the
     * same answer (whether it starts again).
     */
    boolean acceptAgain(TransferRecord r, Instant now) {
        Row row = rows.get(r.id());
        TransferRecord old = row.record;
        // The latest request says which tree the file belongs to now, as the table's re-open does.
        TransferRecord t = new TransferRecord(old.id(), old.direction(), old.server(), old.remotePath(),
                old.localPath(), old.status(), old.size(), old.sourceMtime(), old.request(), old.reason(),
                old.bytesMoved(), old.bytesResent(), old.created(), old.updated(), r.tree(), old.sourceChangedAt());
        row.record = t;
        if (t.status() == TransferStatus.PUBLISHED) {
            row.record = with(t, TransferStatus.ACCEPTED, -1, -1, -1, r.request(), null, 0, 0, now);
            row.segments.clear();
        } else if (t.status().finished()) {
            row.record = with(t, TransferStatus.ACCEPTED, t.size(), t.sourceMtime(), t.sourceChangedAt(), r.request(),
                    null, 0, 0, now);
        }
        return t.status().finished();
    }

    TransferRecord find(String id) {
        return rows.get(id).record;
    }

    List<SegmentRecord> segments(String id) {
        List<SegmentRecord> sorted = new ArrayList<>(rows.get(id).segments);
        sorted.sort(Comparator.comparingInt(SegmentRecord::index));
        return sorted;
    }

    void start(String id, long size, long sourceMtime, long sourceChangedAt, List<SegmentRecord> plan, Instant now) {
        // What the table's key and CHECK would refuse, refused before anything changes.
        Set<Integer> indexes = new HashSet<>();
        for (SegmentRecord s : plan) {
            if (!indexes.add(s.index())) {
                throw new LedgerException("ledger: start failed for transfer " + id + ": segment " + s.index()
                        + " appears twice in the plan", null);
            }
            if (s.start() > s.offset() || s.offset() > s.end()) {
                throw new LedgerException("ledger: start failed for transfer " + id + ": segment " + s + " has its"
                        + " offset outside its range", null);
            }
        }
        Row row = rows.get(id);
        TransferRecord t = row.record;
        row.record = with(t, TransferStatus.ACTIVE, size, sourceMtime, sourceChangedAt, t.request(), t.reason(), 0, 0,
                now);
        row.segments.clear();
        row.segments.addAll(plan);
    }

    void status(String id, TransferStatus status, String reason, Instant now) {
        Row row = rows.get(id);
        TransferRecord t = row.record;
        row.record = with(t, status, t.size(), t.sourceMtime(), t.sourceChangedAt(), t.request(), reason, 0, 0, now);
    }

    void published(String id, long moved, long resent, Instant now) {
        Row row = rows.get(id);
        TransferRecord t = row.record;
        row.record = with(t, TransferStatus.PUBLISHED, t.size(), t.sourceMtime(), t.sourceChangedAt(), t.request(),
                null, moved, resent, now);
    }

    void checkpoint(String id, int index, long offset) {
        int i = position(id, index);
        SegmentRecord s = rows.get(id).segments.get(i);
        if (offset < s.start() || offset > s.end()) {
            throw JdbcLedger.outsideRange(id, index, offset, s);
        }
        rows.get(id).segments.set(i, new SegmentRecord(index, s.start(), s.end(), offset, s.done()));
    }

    void segmentDone(String id, int index) {
        int i = position(id, index);
        SegmentRecord s = rows.get(id).segments.get(i);
        rows.get(id).segments.set(i, new SegmentRecord(index, s.start(), s.end(), s.end(), true));
    }

    Row row(String id) {
        return rows.get(id);
    }

    Collection<Row> all() {
        return List.copyOf(rows.values());
    }

    /** Once the ledger has written the transfer's row: from now on the tables hold it. */
    void written(String id) {
        rows.remove(id);
    }

    void allWritten() {
        rows.clear();
    }

    private int position(String id, int index) {
        List<SegmentRecord> segments = rows.get(id).segments;
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).index() == index) {
                return i;
            }
        }
        throw JdbcLedger.noSegment(id, index);
    }

    /** The counters add up across runs, as bytes_moved = bytes_moved + ? does in the table. */
    private static TransferRecord with(TransferRecord t, TransferStatus status, long size, long mtime, long changedAt,
                                       String request, String reason, long moved, long resent, Instant now) {
        return new TransferRecord(t.id(), t.direction(), t.server(), t.remotePath(), t.localPath(), status, size, mtime,
                request, reason, t.bytesMoved() + moved, t.bytesResent() + resent, t.created(), now, t.tree(),
                changedAt);
    }
}
