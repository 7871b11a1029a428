package dev.ferry.ledger;

import dev.ferry.plan.Direction;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;

/**
 * Tree transfers' parents ({@code ferry_tree}) and a download's listing ({@code ferry_tree_entry}): the listing is
 * written a page at a time while the remote tree is walked and read back a page at a time, so neither side holds the
 * tree in memory, and a tree that did not end (a crash, a kill) is resumed from it without listing the server again.
 * The entries go when the tree ends; its row stays, with the counts, for the API.
 */
public final class TreeListings {
    /** A tree's row: the parent of its files' transfers. */
    public record TreeRecord(String id, Direction direction, String server, String remoteRoot, String localRoot,
                             String status, boolean listed, int entries, int files, int transferred, int skipped,
                             int failed, int refused, long bytesMoved, Instant created, Instant updated) {
    }

    /**
     * One listed entry: a file, or (refusal not null) an entry refused by the walk with its reason.
     *
     * @param mtime epoch millis, -1 when unknown
     */
    public record Entry(int seq, String relative, long size, long mtime, boolean exactTime, String refusal) {
    }

    /** A tree's outcome counts, as {@code ferry_tree} keeps them. */
    public record Counts(int files, int transferred, int skipped, int failed, int refused, long bytesMoved) {
    }

    public static final String LISTING = "LISTING";
    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";
    public static final String INCOMPLETE = "INCOMPLETE";
    public static final String FAILED = "FAILED";

    private static final String COLUMNS = "id, direction, server, remote_root, local_root, status, listed, entries,"
            + " files, transferred, skipped, failed, refused, bytes_moved, created, updated";

    private static final int DELETE_CHUNK = 5000;

    private final DataSource ds;

    TreeListings(DataSource ds) {
        this.ds = ds;
    }

    /**
     * Starts a run of the tree. True when an earlier run's whole listing is there to resume from (its walk ended, the
     * tree did not: killed, or stopped {@link #FAILED} by an interruption or an error, and {@code relist} is false);
     * otherwise the tree starts with an empty listing. A tree that ended DONE or INCOMPLETE is listed again, so a
     * mirror run sees what changed on the server.
     */
    public boolean begin(String id, Direction direction, String server, String remoteRoot, String localRoot,
                         boolean relist) {
        try {
            boolean resume = Sql.inNewTx(ds, c -> {
                TreeRecord old = Sql.queryOne(c, "SELECT " + COLUMNS + " FROM ferry_tree WHERE id = ? FOR UPDATE",
                        TreeListings::record, id);
                Instant now = Instant.now();
                if (old != null && old.listed() && !relist && !DONE.equals(old.status())
                        && !INCOMPLETE.equals(old.status())) {
                    Sql.update(c, "UPDATE ferry_tree SET updated = ? WHERE id = ?", now, id);
                    return true;
                }
                // Not listed yet: a walk that was cut short leaves no way to resume from its entries.
                Sql.update(c, "UPDATE ferry_tree SET listed = FALSE WHERE id = ?", id);
                return false;
            });
            if (resume) {
                return true;
            }
            deleteEntries(id);
            return Sql.inNewTx(ds, c -> {
                Instant now = Instant.now();
                Sql.update(c, "DELETE FROM ferry_tree WHERE id = ?", id);
                Sql.update(c, "INSERT INTO ferry_tree (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, FALSE, 0, 0, 0, 0, 0,"
                        + " 0, 0, ?, ?)", id, direction, server, remoteRoot, localRoot,
                        direction == Direction.DOWNLOAD ? LISTING : RUNNING, now, now);
                return false;
            });
        } catch (SQLException e) {
            throw LedgerException.of("begin tree", id, e);
        }
    }

    /** Adds a page of the listing (seq numbers given by the caller, in listing order). */
    public void append(String id, List<Entry> page) {
        if (page.isEmpty()) {
            return;
        }
        try {
            Sql.inNewTx(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ferry_tree_entry (tree_id, seq, relative,"
                        + " size_bytes, mtime, exact_time, refusal) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    for (Entry e : page) {
                        Sql.bind(ps, id, e.seq(), e.relative(), e.size(), e.mtime(), e.exactTime(), e.refusal());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw LedgerException.of("record tree listing", id, e);
        }
    }

    /** The walk ended with {@code entries} entries: a later run may resume from the listing. */
    public void listed(String id, int entries) {
        write("record tree listed", id, "UPDATE ferry_tree SET listed = TRUE, status = ?, entries = ?, updated = ?"
                + " WHERE id = ?", RUNNING, entries, Instant.now(), id);
    }

    /** Up to {@code limit} entries after {@code afterSeq}, in listing order. */
    public List<Entry> page(String id, int afterSeq, int limit) {
        try {
            return Sql.inNewTx(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT seq, relative, size_bytes, mtime, exact_time,"
                        + " refusal FROM ferry_tree_entry WHERE tree_id = ? AND seq > ? ORDER BY seq")) {
                    Sql.bind(ps, id, afterSeq);
                    ps.setMaxRows(limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<Entry> rows = new java.util.ArrayList<>(limit);
                        while (rs.next() && rows.size() < limit) {
                            rows.add(new Entry(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                                    rs.getBoolean(5), rs.getString(6)));
                        }
                        return rows;
                    }
                }
            });
        } catch (SQLException e) {
            throw LedgerException.of("read tree listing", id, e);
        }
    }

    /** The counts so far, while the tree runs (what the API shows of a tree another process runs or ran). */
    public void progress(String id, Counts n) {
        write("record tree progress", id, "UPDATE ferry_tree SET files = ?, transferred = ?, skipped = ?, failed = ?,"
                + " refused = ?, bytes_moved = ?, updated = ? WHERE id = ?", n.files(), n.transferred(), n.skipped(),
                n.failed(), n.refused(), n.bytesMoved(), Instant.now(), id);
    }

    /**
     * The tree ended ({@link #DONE}, {@link #INCOMPLETE}: its counts stay, its listing goes) or stopped
     * ({@link #FAILED}: the listing stays for the next run).
     */
    public void ended(String id, String status, Counts n) {
        write("record tree end", id, "UPDATE ferry_tree SET status = ?, files = ?, transferred = ?, skipped = ?,"
                + " failed = ?, refused = ?, bytes_moved = ?, updated = ? WHERE id = ?", status, n.files(),
                n.transferred(), n.skipped(), n.failed(), n.refused(), n.bytesMoved(), Instant.now(), id);
        if (FAILED.equals(status)) {
            return; // stopped, not ended: its next run resumes from the listing
        }
        try {
            deleteEntries(id);
        } catch (SQLException e) {
            throw LedgerException.of("delete tree listing", id, e);
        }
    }

    /**
     * A listing's entries, a few thousand per transaction: one DELETE of 100,000 rows held H2's undo log and ran
     * into the statement timeout on a loaded machine, and would hold PostgreSQL row locks as long.
     */
    private void deleteEntries(String id) throws SQLException {
        Integer last = Sql.inNewTx(ds, c -> Sql.queryOne(c, "SELECT MAX(seq) FROM ferry_tree_entry WHERE tree_id = ?",
                rs -> rs.getObject(1) == null ? null : rs.getInt(1), id));
        if (last == null) {
            return;
        }
        for (int from = 0; from < last; from += DELETE_CHUNK) {
            int lo = from;
            Sql.inNewTx(ds, c -> Sql.update(c, "DELETE FROM ferry_tree_entry WHERE tree_id = ? AND seq > ? AND seq <= ?",
                    id, lo, lo + DELETE_CHUNK));
        }
    }

    public TreeRecord get(String id) {
        try {
            return Sql.inNewTx(ds, c -> Sql.queryOne(c, "SELECT " + COLUMNS + " FROM ferry_tree WHERE id = ?",
                    TreeListings::record, id));
        } catch (SQLException e) {
            throw LedgerException.of("read tree", id, e);
        }
    }

    /** Up to {@code limit} trees, the most recently updated first. */
    public List<TreeRecord> recent(int limit) {
        try {
            return Sql.inNewTx(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                        + " FROM ferry_tree ORDER BY updated DESC, id")) {
                    ps.setMaxRows(limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<TreeRecord> rows = new java.util.ArrayList<>();
                        while (rs.next() && rows.size() < limit) {
                            rows.add(record(rs));
                        }
                        return rows;
                    }
                }
            });
        } catch (SQLException e) {
            throw LedgerException.of("read trees", null, e);
        }
    }

    private void write(String what, String id, String sql, Object... params) {
        try {
            Sql.inNewTx(ds, c -> Sql.update(c, sql, params));
        } catch (SQLException e) {
            throw LedgerException.of(what, id, e);
        }
    }

    private static TreeRecord record(ResultSet rs) throws SQLException {
        return new TreeRecord(rs.getString("id"), Direction.valueOf(rs.getString("direction")), rs.getString("server"),
                rs.getString("remote_root"), rs.getString("local_root"), rs.getString("status"),
                rs.getBoolean("listed"), rs.getInt("entries"), rs.getInt("files"), rs.getInt("transferred"),
                rs.getInt("skipped"), rs.getInt("failed"), rs.getInt("refused"), rs.getLong("bytes_moved"),
                rs.getObject("created", LocalDateTime.class).toInstant(ZoneOffset.UTC),
                rs.getObject("updated", LocalDateTime.class).toInstant(ZoneOffset.UTC));
    }
}
