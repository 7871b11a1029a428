package dev.ferry.ledger;

import static dev.ferry.ledger.Sql.DUPLICATE_KEY;
import static dev.ferry.ledger.Sql.INSERT_SEGMENT;
import static dev.ferry.ledger.Sql.SELECT_SEGMENTS;
import static dev.ferry.ledger.Sql.SELECT_TRANSFERS;
import static dev.ferry.ledger.Sql.TRANSFER_COLUMNS;
import static dev.ferry.ledger.Sql.bind;
import static dev.ferry.ledger.Sql.queryList;
import static dev.ferry.ledger.Sql.queryOne;
import static dev.ferry.ledger.Sql.update;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable ledger of transfers and segment offsets, over plain JDBC; the same SQL runs on H2 (the
 * embedded default) and PostgreSQL (cluster mode).
 *
 * <p>Camel's idempotent repository of finished segments is {@link DoneSegments} over it; the batch scope that puts
 * many writes into one commit is {@link OneCommit} ({@link #oneCommit}); the tables are {@link LedgerSchema}'s.
 *
 * <p>Timestamps ({@code created}, {@code updated}) are the ledger's own clock, stored as UTC in TIMESTAMP
 * columns; within one ledger they strictly increase, so "oldest first" and "newest first" are well defined.
 */
public final class JdbcLedger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcLedger.class);
    /** File size past which a one-command ledger compacts when it closes ({@link #h2ForOneCommand}). */
    private static final long COMPACT_ABOVE = 2L << 20;

    private final DataSource ds;
    /** See {@link #instance}; null until asked. */
    private volatile String instance;
    /** An embedded ledger's folder (see {@link #localDir}), null otherwise. */
    private volatile Path localDir;
    /** The pool this ledger created, closed with it; null when the caller owns the DataSource. */
    private final AutoCloseable ownedPool;
    private final AtomicLong lastMicros = new AtomicLong();
    /** This node's claims on transfers; every write for a transfer is fenced by the claim it holds. */
    private final Leases leases;
    /** Where each statement runs: its own transaction, or a batch's one commit. */
    private final OneCommit commits;

    private JdbcLedger(DataSource ds, AutoCloseable ownedPool, String nodeId) {
        this.ds = ds;
        this.ownedPool = ownedPool;
        this.leases = new Leases(ds, nodeId);
        this.commits = new OneCommit(ds, leases, LedgerPool.scopesFor(ds));
    }

    /** The embedded ledger: an H2 file database {@code <dataDir>/ledger}. */
    public static JdbcLedger h2(Path dataDir) {
        return h2(dataDir, "");
    }

    /**
     * The embedded ledger for a process that runs one command and exits. H2 spends up to 200 ms compacting the file
     * when it closes (MAX_COMPACT_TIME), on every run; the commits are on disk before, so what survives a crash is the
     * same without. Uncompacted, the file grows by tens of KiB a run, so a run that finds it past
     * {@link #COMPACT_ABOVE} compacts it as before. The service keeps compacting: it closes once, after many transfers.
     */
    public static JdbcLedger h2ForOneCommand(Path dataDir) {
        return h2ForOneCommand(dataDir, true);
    }

    /**
     * {@link #h2ForOneCommand} for a command that moves one file: a few dozen statements, so no pool
     * ({@link DirectConnections}): starting and shutting down Hikari cost more than the statements. A tree keeps the
     * pool, whose sessions keep their statements parsed across thousands of files.
     */
    public static JdbcLedger h2ForOneFile(Path dataDir) {
        return h2ForOneCommand(dataDir, false);
    }

    private static JdbcLedger h2ForOneCommand(Path dataDir, boolean pooled) {
        long size;
        try {
            size = Files.size(dataDir.resolve("ledger.mv.db"));
        } catch (IOException e) {
            size = 0; // a new ledger
        }
        return h2(dataDir, size > COMPACT_ABOVE ? "" : ";MAX_COMPACT_TIME=0", pooled);
    }

    /** The file system's reason in words (its exceptions' messages are the bare path). */
    private static String why(IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file is in the way at " + e.getMessage();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied at " + e.getMessage();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " at " + f.getFile());
        }
        return String.valueOf(e.getMessage());
    }

    private static JdbcLedger h2(Path dataDir, String settings) {
        return h2(dataDir, settings, true);
    }

    /** @param pooled false: {@link DirectConnections} (one command's process), true: a Hikari pool (the service). */
    private static JdbcLedger h2(Path dataDir, String settings, boolean pooled) {
        Path db = dataDir.toAbsolutePath().normalize().resolve("ledger");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new LedgerException("cannot create the ledger directory " + dataDir + ": " + why(e), e,
                    LedgerException.Kind.LOCAL_FOLDER);
        }
        // WRITE_DELAY=0: H2 writes each commit to the file at once (the default batches for 500 ms), so a
        // committed offset survives the JVM being killed. DB_CLOSE_ON_EXIT=FALSE: H2's shutdown hook would close
        // the database under a graceful shutdown still recording its last checkpoints; close() closes it.
        // H2's default file lock keeps other processes out. QUERY_CACHE_SIZE: each connection keeps all of the
        // ledger's ~20 statements parsed (H2 keeps 8 by default, so a burst of small transfers parsed SQL again).
        // async: H2 reads and writes the file through an AsynchronousFileChannel and waits for each I/O without
        // giving in to an interrupt (it sets the flag again after): on a plain FileChannel an interrupted thread's
        // write closes the file, and with it the database under every session ("The database has been closed").
        // TRACE_LEVEL_FILE=0: H2 copied every SQL error into ledger.trace.db beside the ledger, a new ledger's schema
        // probe ("table not found", expected) too, so each new ledger looked broken; Ferry reports its ledger's
        // errors itself (LedgerException, naming the ledger and what to do).
        String url = "jdbc:h2:async:" + db + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=32;TRACE_LEVEL_FILE=0"
                + settings;
        String what = "ledger " + db;
        JdbcLedger ledger;
        if (pooled) {
            ledger = pooled(url, "sa", "", what, Leases.defaultNodeId(dataDir));
        } else {
            DirectConnections direct = LedgerPool.direct(url, "sa", "", what);
            ledger = owning(direct, direct, Leases.defaultNodeId(dataDir), what);
        }
        ledger.localDir = dataDir.toAbsolutePath().normalize();
        return ledger;
    }

    /**
     * This ledger's own random name, made the first time it is asked and the same for every node on the ledger ever
     * after. An upload's temporary name on the server carries it: two machines (or two command-line ledgers) sending
     * the same local path to the same remote name had one temporary file between them, each writing into the other's,
     * and a server without a hash published the mixture, "verified by size".
     */
    public String instance() {
        String known = instance;
        if (known != null) {
            return known;
        }
        String made = java.util.HexFormat.of().formatHex(randomBytes());
        String found;
        try {
            found = instanceOr(made);
        } catch (LedgerException raced) {
            found = instanceOr(made); // another node made it at the same moment (its key taken): read it
        }
        instance = found;
        return found;
    }

    private String instanceOr(String made) {
        // Its own transaction, never a batch's scope: a batch rolled back would leave this process a name no other has.
        try {
            return Sql.inNewTx(ds, c -> {
                String there = Sql.queryOne(c, "SELECT meta_value FROM ferry_meta WHERE name = 'instance'",
                        rs -> rs.getString(1));
                if (there != null) {
                    return there;
                }
                Sql.update(c, "INSERT INTO ferry_meta (name, meta_value) VALUES ('instance', ?)", made);
                return made;
            });
        } catch (java.sql.SQLException e) {
            throw LedgerException.of("instance", null, e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    /** The folder an embedded ledger's files are in; empty for a database elsewhere. */
    public Optional<Path> localDir() {
        return Optional.ofNullable(localDir);
    }

    /** A ledger at any JDBC URL (jdbc:h2:..., jdbc:postgresql:...). */
    public static JdbcLedger open(String jdbcUrl, String user, String password) {
        return pooled(jdbcUrl, user, password, "ledger " + LedgerPool.redact(jdbcUrl),
                Leases.defaultNodeId(LedgerPool.redact(jdbcUrl)));
    }

    /** A ledger on a DataSource the caller owns; {@link #close()} leaves it open. */
    public static JdbcLedger open(DataSource ds) {
        JdbcLedger ledger = new JdbcLedger(Objects.requireNonNull(ds, "ds"), null, Leases.defaultNodeId(ds.toString()));
        LedgerSchema.create(ledger.ds);
        return ledger;
    }

    private static JdbcLedger pooled(String url, String user, String password, String what, String nodeId) {
        HikariDataSource pool = LedgerPool.open(url, user, password, what);
        return owning(pool, pool, nodeId, what);
    }

    private static <P extends DataSource & AutoCloseable> JdbcLedger owning(P pool, AutoCloseable closer, String nodeId,
            String what) {
        JdbcLedger ledger = new JdbcLedger(pool, closer, nodeId);
        try {
            LedgerSchema.create(ledger.ds);
        } catch (RuntimeException e) {
            closeQuietly(closer);
            throw e;
        }
        LOG.info("Opened {}", what);
        return ledger;
    }

    // ---- transfers -------------------------------------------------------------------------------------

    /**
     * Records a transfer as ACCEPTED. An unfinished transfer with that id is left as it is (accepting is
     * idempotent); a finished one is re-opened: ACCEPTED, the new request, no reason, no segments, unplanned.
     * The byte counters and the creation time are kept: they describe the transfer across all its runs.
     *
     * <p>Inside a {@link #oneCommit} scope the transfer starts afresh without a look at the table (its work is cheap
     * to repeat, or it would not be in such a scope): no segments of an earlier run are resumed, and the commit
     * brings a row the table already has to the scope's final state.
     *
     * @return whether a transfer starts here (a new row, or a finished one re-opened); false for one accepted already
     *     and not finished (a queued request passed on, a resumed one): it was announced when it started
     */
    public boolean accept(TransferRecord r) {
        return accept(r, null) == Acceptance.OPENED;
    }

    /** What {@link #acceptAsSeen} did. */
    public enum Acceptance {
        /** A new row, or a finished one re-opened: the transfer starts. */
        OPENED,
        /** Accepted already and not finished: left as it is. */
        UNFINISHED,
        /** Published since the caller looked at the row: left as it is, published. */
        PUBLISHED_SINCE_SEEN
    }

    /**
     * {@link #accept}, for a caller that decided to accept from the row as it saw it ({@code seen}: empty when there
     * was none): a row published since that look is not re-opened. The same request taken twice at once (a message
     * published twice, one node running it while another takes the copy) saw the first run unfinished, and its
     * accept, coming just after that run's publish, re-opened the row as a new request for the file: the run met its
     * own download, "already exists", and the ledger said FAILED for a file that was delivered.
     */
    public Acceptance acceptAsSeen(TransferRecord r, Optional<TransferRecord> seen) {
        Objects.requireNonNull(seen, "seen");
        return accept(r, seen.filter(s -> s.status() == TransferStatus.PUBLISHED).map(TransferRecord::updated)
                .orElse(Instant.EPOCH));
    }

    /**
     * @param publishedSeen when the caller saw the row published ({@link Instant#EPOCH}: it saw it unpublished or
     *                      not at all), or null: no look to hold a published row to
     */
    private Acceptance accept(TransferRecord r, Instant publishedSeen) {
        Objects.requireNonNull(r, "r");
        ScopedRows scoped = commits.rows();
        if (scoped != null) {
            if (scoped.has(r.id())) {
                return scoped.acceptAgain(r, now()) ? Acceptance.OPENED : Acceptance.UNFINISHED;
            }
            scoped.born(r, now());
            return Acceptance.OPENED;
        }
        Accepted accepted;
        try {
            try {
                accepted = commits.inTx(c -> acceptOnce(c, r, publishedSeen));
            } catch (SQLException e) {
                if (!DUPLICATE_KEY.equals(e.getSQLState())) {
                    throw e;
                }
                // Another thread inserted the same id between our look and our insert; now the row is there.
                accepted = commits.inTx(c -> acceptOnce(c, r, publishedSeen));
            }
        } catch (SQLException e) {
            throw LedgerException.of("accept", r.id(), e);
        }
        if (accepted.claim() != null) {
            leases.hold(accepted.claim());
        }
        return accepted.outcome();
    }

    /** What {@link #acceptOnce} did: the claim this node holds now (or null), and what became of the row. */
    private record Accepted(Claim claim, Acceptance outcome) {
    }

    /** A row's status and last change, as the accept's lock found them. */
    private record Locked(TransferStatus status, Instant updated) {
    }

    /**
     * Accepts and claims: a new or finished transfer for this node in any case, an unfinished one only when no other
     * node holds a live lease on it (then null: that node runs it, and this one's writes for it are refused).
     */
    private Accepted acceptOnce(Connection c, TransferRecord r, Instant publishedSeen) throws SQLException {
        // A new id, the common case, needs no lock: a concurrent insert of the same id fails on the key and the
        // caller tries again, then finding the row. A plain SELECT also stays parsed in H2's statement cache,
        // where a SELECT ... FOR UPDATE is parsed again every time.
        TransferStatus current = queryOne(c, "SELECT status FROM ferry_transfer WHERE id = ?",
                rs -> TransferStatus.valueOf(rs.getString(1)), r.id());
        if (current != null) {
            // The row lock serialises concurrent accepts of an existing id, so a transfer is re-opened once.
            Locked locked = queryOne(c, "SELECT status, updated FROM ferry_transfer WHERE id = ? FOR UPDATE",
                    rs -> new Locked(TransferStatus.valueOf(rs.getString(1)),
                            rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC)), r.id());
            current = locked.status();
            if (publishedSeen != null && current == TransferStatus.PUBLISHED
                    && !locked.updated().equals(publishedSeen)) {
                return new Accepted(null, Acceptance.PUBLISHED_SINCE_SEEN);
            }
        }
        Instant now = now();
        if (current == null) {
            update(c, "INSERT INTO ferry_transfer (" + TRANSFER_COLUMNS + ", tree_id, owner, epoch, lease_until)"
                            + " VALUES (?, ?, ?, ?, ?, ?, -1, -1, ?, NULL, 0, 0, ?, ?, ?, ?, 1, " + Leases.leaseEnd()
                            + ")",
                    r.id(), r.direction(), r.server(), r.remotePath(), r.localPath(), TransferStatus.ACCEPTED,
                    r.request(), now, now, r.tree(), leases.nodeId(), leases.leaseSeconds());
            return new Accepted(new Claim(r.id(), leases.nodeId(), 1), Acceptance.OPENED);
        } else if (current == TransferStatus.PUBLISHED) {
            // The same file again, later: a new transfer under the same id.
            update(c, "UPDATE ferry_transfer SET status = ?, request = ?, reason = NULL, size_bytes = -1,"
                            + " source_mtime = -1, updated = ?, tree_id = ? WHERE id = ?",
                    TransferStatus.ACCEPTED, r.request(), now, r.tree(), r.id());
            update(c, "DELETE FROM ferry_segment WHERE transfer_id = ?", r.id());
        } else if (current.finished()) {
            // Failed or cancelled: keep the segments and fingerprint, so the planner can resume where it stopped
            // (it compares the fingerprint and discards them if the source changed).
            update(c, "UPDATE ferry_transfer SET status = ?, request = ?, reason = NULL, updated = ?, tree_id = ?"
                            + " WHERE id = ?", TransferStatus.ACCEPTED, r.request(), now, r.tree(), r.id());
        }
        return new Accepted(leases.claimIn(c, r.id(), current.finished()),
                current.finished() ? Acceptance.OPENED : Acceptance.UNFINISHED);
    }

    public Optional<TransferRecord> find(String id) {
        ScopedRows held = commits.held(id);
        if (held != null) {
            return Optional.of(held.find(id));
        }
        return Optional.ofNullable(commits.query("find", id,
                c -> queryOne(c, SELECT_TRANSFERS + " WHERE id = ?", Sql::transfer, id)));
    }

    /** Marks the transfer ACTIVE with the source's fingerprint, and replaces its segments with {@code plan}. */
    public void start(String id, long size, long sourceMtime, List<SegmentRecord> plan) {
        start(id, size, sourceMtime, -1, plan);
    }

    /** {@link #start}, with an upload source's change time ({@link TransferRecord#sourceChangedAt}). */
    public void start(String id, long size, long sourceMtime, long sourceChangedAt, List<SegmentRecord> plan) {
        ScopedRows held = commits.held(id);
        if (held != null) {
            held.start(id, size, sourceMtime, sourceChangedAt, plan, now());
            return;
        }
        commits.tx("start", id, c -> {
            leases.fence(c, id);
            requireTransfer(id, update(c, "UPDATE ferry_transfer SET status = ?, size_bytes = ?, source_mtime = ?,"
                    + " source_ctime = ?, updated = ? WHERE id = ?", TransferStatus.ACTIVE, size, sourceMtime,
                    sourceChangedAt, now(), id));
            update(c, "DELETE FROM ferry_segment WHERE transfer_id = ?", id);
            try (PreparedStatement ps = c.prepareStatement(INSERT_SEGMENT)) {
                for (SegmentRecord s : plan) {
                    bind(ps, id, s.index(), s.start(), s.end(), s.offset(), s.done());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    public void status(String id, TransferStatus status, String reason) {
        Objects.requireNonNull(status, "status");
        ScopedRows held = commits.held(id);
        if (held != null) {
            held.status(id, status, reason, now());
            return;
        }
        commits.tx("status", id, c -> {
            leases.fence(c, id);
            return requireTransfer(id, update(c,
                    "UPDATE ferry_transfer SET status = ?, reason = ?, updated = ? WHERE id = ?",
                    status, reason, now(), id));
        });
        if (status.finished()) {
            leases.released(id);
        }
    }

    /**
     * The end of a successful run in one commit: PUBLISHED, and the bytes this run moved and sent again added to
     * the transfer's counters, in one commit (each commit rewrites the row's page).
     */
    public void published(String id, long moved, long resent) {
        ScopedRows held = commits.held(id);
        if (held != null) {
            held.published(id, moved, resent, now());
            return;
        }
        commits.tx("published", id, c -> {
            leases.fence(c, id);
            return requireTransfer(id, update(c, "UPDATE ferry_transfer SET status = ?, reason = NULL,"
                    + " bytes_moved = bytes_moved + ?, bytes_resent = bytes_resent + ?, updated = ? WHERE id = ?",
                    TransferStatus.PUBLISHED, moved, resent, now(), id));
        });
        leases.released(id);
    }

    /**
     * Checks, in a transaction of its own, that this node still owns the transfer: before a step whose effect is
     * outside the ledger (publishing the file), so a node that lost its lease does not do it.
     *
     * @throws LostLeaseException when it does not
     */
    public void confirmClaim(String id) {
        if (commits.held(id) != null) {
            return;
        }
        commits.tx("confirm claim", id, c -> {
            leases.fence(c, id);
            return null;
        });
    }
    /** The database behind the ledger ("H2", "PostgreSQL"), as its driver names it: for /observe/info. */
    public String kind() {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new LedgerException("cannot reach the ledger: " + e.getMessage(), e);
        }
    }

    /** This node's claims, leases and the claim loop. */
    public Leases leases() {
        return leases;
    }

    /** What is known about servers across runs (the command line's probe answers). */
    public ServerNotes serverNotes() {
        return new ServerNotes(this);
    }

    /** Tree transfers' parents (one run of each at a time, claimed as a transfer is) and their listings. */
    public TreeListings treeListings() {
        return new TreeListings(ds, leases);
    }

    /** A folder request accepted: its order and its tree's waiting row in one transaction, claiming nothing. */
    public TreeAcceptance treeAcceptance() {
        return new TreeAcceptance(ds, leases);
    }

    /** Finished transfers and folder runs past their retention period leave the ledger. */
    public Retention retention() {
        return new Retention(ds);
    }

    /** Tree requests from a queue or the API, kept until their tree has run. */
    public TreeOrders treeOrders() {
        return new TreeOrders(ds, leases);
    }

    /** Up to {@code limit} transfers of the tree {@code treeId} (its files), the most recently updated first. */
    public List<TransferRecord> inTree(String treeId, int limit) {
        commits.writeScopedRows();
        return commits.query("tree", treeId, c -> queryList(c, SELECT_TRANSFERS
                + " WHERE tree_id = ? ORDER BY updated DESC, id FETCH FIRST ? ROWS ONLY", Sql::transfer, treeId, limit));
    }

    /** For the ledger's other tables (connection slots, the cluster view): the same database. */
    DataSource dataSource() {
        return ds;
    }

    /** ACCEPTED and ACTIVE transfers, oldest first: what start-up resumes. */
    public List<TransferRecord> unfinished() {
        commits.writeScopedRows();
        return commits.query("unfinished", null, c -> queryList(c, SELECT_TRANSFERS
                + " WHERE status IN ('ACCEPTED', 'ACTIVE') ORDER BY created, id", Sql::transfer));
    }

    /** The {@code limit} oldest of {@link #unfinished}: what a page of them shows. */
    public List<TransferRecord> unfinished(int limit) {
        commits.writeScopedRows();
        return commits.query("unfinished", null, c -> queryList(c, SELECT_TRANSFERS
                + " WHERE status IN ('ACCEPTED', 'ACTIVE') ORDER BY created, id FETCH FIRST ? ROWS ONLY", Sql::transfer,
                limit));
    }

    /** How many transfers are unfinished. */
    public long unfinishedCount() {
        return count(TransferStatus.ACCEPTED, TransferStatus.ACTIVE);
    }

    /** How many transfers have one of {@code statuses} (an index's count: the metrics ask at every scrape). */
    public long count(TransferStatus... statuses) {
        commits.writeScopedRows();
        String marks = String.join(", ", java.util.Collections.nCopies(statuses.length, "?"));
        Long n = commits.query("count", null, c -> Sql.queryOne(c, "SELECT COUNT(*) FROM ferry_transfer WHERE status IN ("
                + marks + ")", rs -> rs.getLong(1), (Object[]) statuses));
        return n == null ? 0 : n;
    }

    /**
     * Up to {@code limit} finished transfers, the most recently updated first: {@link #recent} of a ledger with a
     * backlog held only unfinished ones, and the list showed nothing finished while it lasted.
     */
    public List<TransferRecord> recentFinished(int limit) {
        commits.writeScopedRows();
        return commits.query("recent finished", null, c -> queryList(c, SELECT_TRANSFERS
                + " WHERE status IN ('PUBLISHED', 'FAILED', 'CANCELLED') ORDER BY updated DESC, id FETCH FIRST ? ROWS"
                + " ONLY", Sql::transfer, limit));
    }

    /** Up to {@code limit} transfers, the most recently updated first. */
    public List<TransferRecord> recent(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        commits.writeScopedRows();
        return commits.query("recent", null, c -> queryList(c, SELECT_TRANSFERS
                + " ORDER BY updated DESC, id FETCH FIRST ? ROWS ONLY", Sql::transfer, limit));
    }

    // ---- segments --------------------------------------------------------------------------------------

    public List<SegmentRecord> segments(String id) {
        ScopedRows held = commits.held(id);
        if (held != null) {
            return held.segments(id);
        }
        return commits.query("segments", id,
                c -> queryList(c, SELECT_SEGMENTS + " ORDER BY seg_index", Sql::segment, id));
    }

    /**
     * Records that the segment's bytes below {@code offset} are safe (on disk, or confirmed by the server).
     * The range check also refuses progress past an end that work stealing has moved.
     */
    public void checkpoint(String id, int index, long offset) {
        checkpoint(id, null, index, offset);
    }

    /** {@link #checkpoint(String, int, long)} by a run that holds {@code by} (see {@link Leases#fence}). */
    public void checkpoint(String id, Claim by, int index, long offset) {
        ScopedRows held = commits.held(id);
        if (held != null) {
            held.checkpoint(id, index, offset);
            return;
        }
        commits.tx("checkpoint", id, c -> {
            leases.fence(c, id, by);
            if (update(c, "UPDATE ferry_segment SET seg_offset = ? WHERE transfer_id = ? AND seg_index = ?"
                    + " AND seg_start <= ? AND ? <= seg_end", offset, id, index, offset, offset) == 0) {
                throw outsideRange(id, index, offset, requireSegment(c, id, index));
            }
            return null;
        });
    }

    static IllegalArgumentException outsideRange(String id, int index, long offset, SegmentRecord s) {
        return new IllegalArgumentException("checkpoint of transfer " + id + " segment " + index + ": offset "
                + offset + " is outside the segment's range [" + s.start() + ", " + s.end() + "]");
    }

    public void segmentDone(String id, int index) {
        segmentDone(id, null, index);
    }

    /** {@link #segmentDone(String, int)} by a run that holds {@code by} (see {@link Leases#fence}). */
    public void segmentDone(String id, Claim by, int index) {
        ScopedRows held = commits.held(id);
        if (held != null) {
            held.segmentDone(id, index);
            return;
        }
        commits.tx("segmentDone", id, c -> {
            leases.fence(c, id, by);
            if (update(c, "UPDATE ferry_segment SET seg_offset = seg_end, done = TRUE"
                    + " WHERE transfer_id = ? AND seg_index = ?", id, index) == 0) {
                requireSegment(c, id, index);
            }
            return null;
        });
    }

    /**
     * Work stealing: shrinks segment {@code victimIndex} to end at {@code newEnd} and adds {@code added}, which
     * takes over {@code [newEnd, oldEnd)}, in one transaction. Refused (false, nothing changed) when the victim
     * is done, has already moved past {@code newEnd}, or no longer ends where {@code added} ends (another thief
     * was first).
     */
    public boolean split(String id, int victimIndex, long newEnd, SegmentRecord added) {
        return split(id, null, victimIndex, newEnd, added);
    }

    /** {@link #split(String, int, long, SegmentRecord)} by a run that holds {@code by} (see {@link Leases#fence}). */
    public boolean split(String id, Claim by, int victimIndex, long newEnd, SegmentRecord added) {
        Objects.requireNonNull(added, "added");
        if (added.start() != newEnd || added.end() <= newEnd || added.offset() < added.start()
                || added.offset() > added.end()) {
            throw new IllegalArgumentException("split of transfer " + id + " segment " + victimIndex + " at " + newEnd
                    + ": the added segment " + added + " must cover [" + newEnd + ", old end)");
        }
        commits.writeScopedRow(id);
        return commits.tx("split", id, c -> {
            leases.fence(c, id, by);
            // The conditions sit in the UPDATE itself, so they are checked under the victim's row lock.
            int shrunk = update(c, "UPDATE ferry_segment SET seg_end = ? WHERE transfer_id = ? AND seg_index = ?"
                            + " AND done = FALSE AND seg_offset <= ? AND seg_end = ?",
                    newEnd, id, victimIndex, newEnd, added.end());
            if (shrunk == 0) {
                return false;
            }
            update(c, INSERT_SEGMENT, id, added.index(), added.start(), added.end(), added.offset(), added.done());
            return true;
        });
    }

    // ---- finished segments, for DoneSegments ------------------------------------------------------------

    boolean segmentIsDone(String id, int index) {
        commits.writeScopedRow(id);
        Boolean done = commits.query("contains segment " + index, id, c -> queryOne(c,
                "SELECT done FROM ferry_segment WHERE transfer_id = ? AND seg_index = ?",
                rs -> rs.getBoolean(1), id, index));
        return Boolean.TRUE.equals(done);
    }

    /** True if the segment was not done before, false if it was or if there is no such segment. */
    boolean markSegmentDone(String id, int index) {
        return commits.tx("add segment " + index, id, c -> {
            leases.fence(c, id);
            return update(c, "UPDATE ferry_segment SET seg_offset = seg_end, done = TRUE"
                    + " WHERE transfer_id = ? AND seg_index = ? AND done = FALSE", id, index) == 1;
        });
    }

    /** True if the segment was done; its offset goes back to its start. */
    boolean markSegmentNotDone(String id, int index) {
        commits.writeScopedRow(id);
        return commits.tx("remove segment " + index, id, c -> {
            leases.fence(c, id);
            return update(c, "UPDATE ferry_segment SET seg_offset = seg_start, done = FALSE"
                    + " WHERE transfer_id = ? AND seg_index = ? AND done = TRUE", id, index) == 1;
        });
    }

    @Override
    public void close() {
        leases.close();
        if (ownedPool != null) {
            closeQuietly(ownedPool);
        }
    }

    // ---- one commit for many writes ----------------------------------------------------------------------

    /** Work run in a {@link #oneCommit} scope. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** Work run in a {@link #oneCommit} scope, handed the scope as its unit of work. */
    @FunctionalInterface
    public interface UnitWork<T, E extends Exception> {
        T run(UnitOfWork unit) throws E;
    }

    /**
     * Runs {@code work} with every ledger write it makes on this thread in one commit, at its end: many small
     * transfers then cost one durable write instead of four each. The writes record what happened, so they are
     * committed whether {@code work} returns or throws; a write that fails is undone alone (a savepoint), as it
     * would have been in its own transaction. Until the commit other connections see none of it: use it only where
     * losing the whole scope to a crash is acceptable (its work is repeated from a durable source, such as a file
     * still in an inbox). A scope inside a scope joins the outer one. {@code work} is handed the scope as a
     * {@link UnitOfWork}, to pass on to the code that must know its writes are deferred.
     *
     * <p>A transfer the scope accepts is kept in memory ({@link ScopedRows}) and written once at the commit, so
     * only this thread may write to it meanwhile: its rows are not in the tables for another connection to update.
     *
     * @throws LedgerException if the commit fails; nothing of the scope is recorded then
     */
    public <T, E extends Exception> T oneCommit(UnitWork<T, E> work) throws E {
        return commits.run(work::run);
    }

    /** {@link #oneCommit(UnitWork)} for work that needs no handle on its unit. */
    public <T, E extends Exception> T oneCommit(Work<T, E> work) throws E {
        return commits.run(unit -> work.run());
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    /** Hikari's close throws nothing checked; {@link DirectConnections} reports its failure as a LedgerException. */
    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new LedgerException("cannot close the ledger: " + e.getMessage(), e);
        }
    }

    private static Void requireTransfer(String id, int updated) {
        if (updated == 0) {
            throw new IllegalArgumentException("no transfer " + id + " in the ledger");
        }
        return null;
    }

    private static SegmentRecord requireSegment(Connection c, String id, int index) throws SQLException {
        SegmentRecord s = queryOne(c, SELECT_SEGMENTS + " AND seg_index = ?", Sql::segment, id, index);
        if (s == null) {
            throw noSegment(id, index);
        }
        return s;
    }

    static IllegalArgumentException noSegment(String id, int index) {
        return new IllegalArgumentException("no segment " + index + " of transfer " + id + " in the ledger");
    }

    /** Strictly increasing, microsecond precision (what both databases keep), so orderings never tie. */
    private Instant now() {
        long wall = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        long micros = lastMicros.updateAndGet(last -> Math.max(wall, last + 1));
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
