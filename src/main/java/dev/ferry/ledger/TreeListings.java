package dev.ferry.ledger;

import dev.ferry.plan.Direction;
import java.sql.Connection;
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
                             int failed, int refused, long bytesMoved, Instant created, Instant updated,
                             String reason, String owner) {
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
    /** Stopped through the API: like {@link #FAILED}, its listing stays for the next run of its request. */
    public static final String CANCELLED = "CANCELLED";
    /**
     * A folder request was accepted ({@link TreeAcceptance}) and its run has not claimed the row yet: waiting, not
     * running, so no node is kept out by it; the run's {@link #begin} claims it as any other row it finds not running.
     */
    public static final String ACCEPTED = "ACCEPTED";
    /**
     * Shown, never stored: the row says {@link #LISTING} or {@link #RUNNING} but no run holds it (its owner's lease
     * ended, or the owner is this node and no run of it is in this process: a crash, a kill). The next run of the
     * same tree resumes it.
     */
    public static final String INTERRUPTED = "INTERRUPTED";

    private static final String COLUMNS = "id, direction, server, remote_root, local_root, status, listed, entries,"
            + " files, transferred, skipped, failed, refused, bytes_moved, created, updated";

    private static final int DELETE_CHUNK = 5000;

    /**
     * A page of the listing. Ordered by the whole key, not by seq alone: H2 takes the key's order for that only, and
     * for "ORDER BY seq" read every entry after the page's start and sorted them, so each page of a fresh tree cost
     * as much as the rest of its listing (quadratic in the tree's files; see TreeListingsPlanTest).
     */
    static final String PAGE = "SELECT seq, relative, size_bytes, mtime, exact_time, refusal FROM ferry_tree_entry"
            + " WHERE tree_id = ? AND seq > ? ORDER BY tree_id, seq";

    /** The columns that say who runs a tree, and whether that owner's lease ran out (on the database's clock). */
    private static final String OWNER = "owner, epoch, (lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP) AS lapsed";

    private final DataSource ds;
    private final Leases leases;

    TreeListings(DataSource ds, Leases leases) {
        this.ds = ds;
        this.leases = leases;
    }

    /**
     * This node's run of a tree: {@code claim} fences every write the run makes ({@link #append}, {@link #listed},
     * {@link #progress}, {@link #ended}); {@code resume} says an earlier run's whole listing is there to resume from.
     */
    public record Run(Claim claim, boolean resume) {
    }

    /** The tree runs now, on another node under a live lease or in this process: this run was not started. */
    public static final class TreeRunningException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public TreeRunningException(String message) {
            super(message);
        }
    }

    /**
     * Starts a run of the tree: claims its row (owner this node, a new epoch, a lease renewed by {@link Leases}) unless
     * another node runs it under a live lease ({@link TreeRunningException}; a run of this node's is kept out by the
     * caller, in process). {@link Run#resume} when an earlier run's whole listing is there to resume from (its walk
     * ended, the tree did not: killed, or stopped {@link #FAILED} by an interruption or an error, and {@code relist}
     * is false); otherwise the tree starts with an empty listing. A tree that ended DONE or INCOMPLETE is listed
     * again, so a mirror run sees what changed on the server.
     */
    public Run begin(String id, Direction direction, String server, String remoteRoot, String localRoot,
                     boolean relist) {
        String node = leases.nodeId();
        int lease = leases.leaseSeconds();
        try {
            Run run = Sql.inNewTx(ds, c -> {
                TreeRecord old;
                String owner = null;
                boolean lapsed = true;
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", reason, " + OWNER
                        + " FROM ferry_tree WHERE id = ? FOR UPDATE")) {
                    Sql.bind(ps, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        old = rs.next() ? record(rs) : null;
                        if (old != null) {
                            owner = rs.getString("owner");
                            lapsed = rs.getBoolean("lapsed");
                        }
                    }
                }
                Instant now = Instant.now();
                if (old != null && isRunning(old.status()) && owner != null && !owner.equals(node) && !lapsed) {
                    throw new TreeRunningException("tree " + id + " (" + server + ":" + remoteRoot + " <-> "
                            + localRoot + ") is running on node " + owner + "; a tree runs once at a time, so this"
                            + " run was not started: run it again once that run has ended (what it moved is then"
                            + " skipped), or, if that node died, once its lease of " + lease + " s has run out");
                }
                if (old == null) {
                    Sql.update(c, "INSERT INTO ferry_tree (" + COLUMNS + ", owner, epoch, lease_until) VALUES (?, ?, ?,"
                            + " ?, ?, ?, FALSE, 0, 0, 0, 0, 0, 0, 0, ?, ?, ?, 1, " + Leases.leaseEnd() + ")", id,
                            direction, server, remoteRoot, localRoot, direction == Direction.DOWNLOAD ? LISTING : RUNNING,
                            now, now, node, lease);
                    return new Run(new Claim(id, node, 1), false);
                }
                long epoch = Sql.queryOne(c, "SELECT epoch FROM ferry_tree WHERE id = ?", rs -> rs.getLong(1), id) + 1;
                if (old.listed() && !relist && !DONE.equals(old.status()) && !INCOMPLETE.equals(old.status())) {
                    Sql.update(c, "UPDATE ferry_tree SET status = ?, owner = ?, epoch = ?, lease_until = "
                            + Leases.leaseEnd() + ", updated = ? WHERE id = ?", RUNNING, node, epoch, lease, now, id);
                    return new Run(new Claim(id, node, epoch), true);
                }
                // Not listed yet: a walk that was cut short leaves no way to resume from its entries. The row starts
                // afresh under this claim, and its old entries go below, fenced by it.
                Sql.update(c, "UPDATE ferry_tree SET direction = ?, server = ?, remote_root = ?, local_root = ?,"
                        + " status = ?, listed = FALSE, entries = 0, files = 0, transferred = 0, skipped = 0,"
                        + " failed = 0, refused = 0, bytes_moved = 0, created = ?, updated = ?, owner = ?, epoch = ?,"
                        + " lease_until = " + Leases.leaseEnd() + " WHERE id = ?", direction, server, remoteRoot,
                        localRoot, direction == Direction.DOWNLOAD ? LISTING : RUNNING, now, now, node, epoch, lease,
                        id);
                return new Run(new Claim(id, node, epoch), false);
            });
            leases.holdTree(run.claim());
            if (!run.resume()) {
                deleteEntries(run.claim());
            }
            return run;
        } catch (SQLException e) {
            throw LedgerException.of("begin tree", id, e);
        }
    }

    static boolean isRunning(String status) {
        return LISTING.equals(status) || RUNNING.equals(status);
    }

    /**
     * The first statement of a run's write: the row must still name the run's claim (owner and epoch), and stays
     * locked to the commit; else {@link LostLeaseException}, and the write changes nothing.
     */
    private static void fence(Connection c, Claim claim) throws SQLException {
        if (Sql.update(c, "UPDATE ferry_tree SET epoch = epoch WHERE id = ? AND owner = ? AND epoch = ?",
                claim.transferId(), claim.owner(), claim.epoch()) != 1) {
            throw new LostLeaseException(claim.transferId(), "the tree's run under epoch " + claim.epoch()
                    + " no longer holds its row (a later run claimed it)");
        }
    }

    /** Adds a page of the listing (seq numbers given by the caller, in listing order), if {@code run} still holds it. */
    public void append(Claim run, List<Entry> page) {
        if (page.isEmpty()) {
            return;
        }
        String id = run.transferId();
        try {
            Sql.inNewTx(ds, c -> {
                fence(c, run);
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
    public void listed(Claim run, int entries) {
        write("record tree listed", run, "UPDATE ferry_tree SET listed = TRUE, status = ?, entries = ?, updated = ?"
                + " WHERE id = ?", RUNNING, entries, Instant.now(), run.transferId());
    }

    /** Up to {@code limit} entries after {@code afterSeq}, in listing order. */
    public List<Entry> page(String id, int afterSeq, int limit) {
        try {
            return Sql.inNewTx(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement(PAGE)) {
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

    /**
     * Whether this process still holds the tree's row under {@code run}: false once this node gave it up (its leases
     * not renewed in time: a pause, the database out of reach), after which another node may run the tree.
     */
    public boolean holds(Claim run) {
        return leases.holdsTree(run);
    }

    /** The run under {@code run} lost its tree to another node and ends: its claim is no longer renewed or held. */
    public void lost(Claim run) {
        leases.releasedTree(run);
    }

    /** The counts so far, while the tree runs (what the API shows of a tree another process runs or ran). */
    public void progress(Claim run, Counts n) {
        write("record tree progress", run, "UPDATE ferry_tree SET files = ?, transferred = ?, skipped = ?, failed = ?,"
                + " refused = ?, bytes_moved = ?, updated = ? WHERE id = ?", n.files(), n.transferred(), n.skipped(),
                n.failed(), n.refused(), n.bytesMoved(), Instant.now(), run.transferId());
    }

    /**
     * A tree whose order was given up before any run claimed it (login refused, the local folder cannot be made, the
     * retries spent): {@link #FAILED} with {@code reason}. Not only an {@link #ACCEPTED} row: an order kept across a
     * restart finds the row as its earlier run left it (FAILED after a stop, RUNNING with a lapsed lease). False when a
     * run holds the row under a live lease (it took the tree meanwhile): nothing is written then.
     */
    public boolean failedBeforeRun(String id, String reason) {
        String r = reason.length() > 2000 ? reason.substring(0, 1997) + "..." : reason;
        try {
            return Sql.inNewTx(ds, c -> Sql.update(c, "UPDATE ferry_tree SET status = ?, reason = ?, updated = ?,"
                    + " lease_until = NULL WHERE id = ? AND (status NOT IN (?, ?) OR lease_until IS NULL"
                    + " OR lease_until < CURRENT_TIMESTAMP)", FAILED, r, Instant.now(), id, LISTING, RUNNING) == 1);
        } catch (SQLException e) {
            throw LedgerException.of("record tree failure", id, e);
        }
    }

    /**
     * The tree ended ({@link #DONE}, {@link #INCOMPLETE}: its counts stay, its listing goes) or stopped
     * ({@link #FAILED}: the listing stays for the next run).
     */
    public void ended(Claim run, String status, Counts n) {
        ended(run, status, n, null);
    }

    /** {@link #ended(Claim, String, Counts)} with why a {@link #FAILED} run stopped (the API shows it). */
    public void ended(Claim run, String status, Counts n, String reason) {
        String id = run.transferId();
        boolean stopped = FAILED.equals(status) || CANCELLED.equals(status);
        String why = reason == null || !stopped ? null
                : reason.length() > 2000 ? reason.substring(0, 1997) + "..." : reason;
        try {
            write("record tree end", run, "UPDATE ferry_tree SET status = ?, files = ?, transferred = ?, skipped = ?,"
                    + " failed = ?, refused = ?, bytes_moved = ?, updated = ?, lease_until = NULL, reason = ? WHERE"
                    + " id = ?", status, n.files(), n.transferred(), n.skipped(), n.failed(), n.refused(),
                    n.bytesMoved(), Instant.now(), why, id);
        } finally {
            leases.releasedTree(run);
        }
        if (stopped) {
            return; // stopped, not ended: its next run resumes from the listing
        }
        try {
            deleteEntries(run);
        } catch (SQLException e) {
            throw LedgerException.of("delete tree listing", id, e);
        }
    }

    /**
     * A listing's entries, a few thousand per transaction: one DELETE of 100,000 rows held H2's undo log and ran
     * into the statement timeout on a loaded machine, and would hold PostgreSQL row locks as long.
     */
    private void deleteEntries(Claim run) throws SQLException {
        String id = run.transferId();
        Integer last = Sql.inNewTx(ds, c -> Sql.queryOne(c, "SELECT MAX(seq) FROM ferry_tree_entry WHERE tree_id = ?",
                rs -> rs.getObject(1) == null ? null : rs.getInt(1), id));
        if (last == null) {
            return;
        }
        for (int from = 0; from < last; from += DELETE_CHUNK) {
            int lo = from;
            Sql.inNewTx(ds, c -> {
                fence(c, run);
                return Sql.update(c, "DELETE FROM ferry_tree_entry WHERE tree_id = ? AND seq > ? AND seq <= ?", id, lo,
                        lo + DELETE_CHUNK);
            });
        }
    }

    public TreeRecord get(String id) {
        try {
            return Sql.inNewTx(ds, c -> Sql.queryOne(c, "SELECT " + COLUMNS + ", reason, " + OWNER
                    + " FROM ferry_tree WHERE id = ?", this::shown, id));
        } catch (SQLException e) {
            throw LedgerException.of("read tree", id, e);
        }
    }

    /**
     * The trees a run holds now: listing or running under a live lease, by another node or by a run in this process
     * (a row of this node's that no run here holds is a crash's leftover, {@link #INTERRUPTED}).
     */
    public java.util.Set<String> runningNow() {
        try {
            List<String[]> held = Sql.inNewTx(ds, c -> Sql.queryList(c, "SELECT id, owner FROM ferry_tree"
                    + " WHERE status IN (?, ?) AND lease_until >= CURRENT_TIMESTAMP",
                    rs -> new String[] {rs.getString(1), rs.getString(2)}, LISTING, RUNNING));
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (String[] row : held) {
                if (!leases.nodeId().equals(row[1]) || leases.holdsTree(row[0])) {
                    ids.add(row[0]);
                }
            }
            return ids;
        } catch (SQLException e) {
            throw LedgerException.of("read running trees", null, e);
        }
    }

    /** Up to {@code limit} trees, the most recently updated first. */
    public List<TreeRecord> recent(int limit) {
        try {
            return Sql.inNewTx(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", reason, " + OWNER
                        + " FROM ferry_tree ORDER BY updated DESC, id")) {
                    ps.setMaxRows(limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<TreeRecord> rows = new java.util.ArrayList<>();
                        while (rs.next() && rows.size() < limit) {
                            rows.add(shown(rs));
                        }
                        return rows;
                    }
                }
            });
        } catch (SQLException e) {
            throw LedgerException.of("read trees", null, e);
        }
    }

    private void write(String what, Claim run, String sql, Object... params) {
        try {
            Sql.inNewTx(ds, c -> {
                fence(c, run);
                return Sql.update(c, sql, params);
            });
        } catch (SQLException e) {
            throw LedgerException.of(what, run.transferId(), e);
        }
    }

    /**
     * The row as the API and the status page show it: a row that says it runs while no run holds it is
     * {@link #INTERRUPTED} (its owner's lease ran out, or it names this node and no run in this process holds it).
     */
    private TreeRecord shown(ResultSet rs) throws SQLException {
        TreeRecord r = record(rs);
        String owner = rs.getString("owner");
        boolean orphaned = owner == null || rs.getBoolean("lapsed")
                || owner.equals(leases.nodeId()) && !leases.holdsTree(r.id());
        if (!isRunning(r.status()) || !orphaned) {
            return r;
        }
        return new TreeRecord(r.id(), r.direction(), r.server(), r.remoteRoot(), r.localRoot(), INTERRUPTED,
                r.listed(), r.entries(), r.files(), r.transferred(), r.skipped(), r.failed(), r.refused(),
                r.bytesMoved(), r.created(), r.updated(), r.reason(), r.owner());
    }

    private static TreeRecord record(ResultSet rs) throws SQLException {
        return new TreeRecord(rs.getString("id"), Direction.valueOf(rs.getString("direction")), rs.getString("server"),
                rs.getString("remote_root"), rs.getString("local_root"), rs.getString("status"),
                rs.getBoolean("listed"), rs.getInt("entries"), rs.getInt("files"), rs.getInt("transferred"),
                rs.getInt("skipped"), rs.getInt("failed"), rs.getInt("refused"), rs.getLong("bytes_moved"),
                rs.getObject("created", LocalDateTime.class).toInstant(ZoneOffset.UTC),
                rs.getObject("updated", LocalDateTime.class).toInstant(ZoneOffset.UTC), rs.getString("reason"),
                rs.getString("owner"));
    }
}
