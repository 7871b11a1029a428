package dev.ferry.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.plan.Direction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable ledger of transfers and segment offsets, over plain JDBC; the same SQL runs on H2 (the
 * embedded default) and PostgreSQL (cluster mode).
 *
 * <p>It is also Camel's {@link IdempotentRepository} for finished segments, keyed {@code <transferId>#<index>}.
 * Use it with a non-eager idempotent consumer ({@code eager=false}): an eager consumer calls {@code add}
 * before the segment has moved, which would record a segment as done ahead of its data.
 *
 * <p>Timestamps ({@code created}, {@code updated}) are the ledger's own clock, stored as UTC in TIMESTAMP
 * columns; within one ledger they strictly increase, so "oldest first" and "newest first" are well defined.
 */
public final class JdbcLedger implements IdempotentRepository, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcLedger.class);

    /** H2's error code when another process holds the database file's lock. */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;
    private static final String DUPLICATE_KEY = "23505";
    // Up to four transfers, their segments and the status page use it at once; fewer made them queue for a connection.
    private static final int POOL_SIZE = 8;
    /** Ids per IN (...) list, well under every driver's limit on parameters. */
    private static final int IN_LIST_MAX = 500;
    /**
     * How often a scope's commit looks again for rows another connection inserted meanwhile, before it fails: each
     * look narrows the window to one statement, so a third collision means something keeps inserting these ids.
     */
    private static final int WRITE_ATTEMPTS = 3;

    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS ferry_transfer (
            id           VARCHAR(512) NOT NULL PRIMARY KEY,
            direction    VARCHAR(16)  NOT NULL,
            server       VARCHAR(255) NOT NULL,
            remote_path  VARCHAR      NOT NULL,
            local_path   VARCHAR      NOT NULL,
            status       VARCHAR(16)  NOT NULL,
            size_bytes   BIGINT       NOT NULL,
            source_mtime BIGINT       NOT NULL,
            request      VARCHAR,
            reason       VARCHAR,
            bytes_moved  BIGINT       NOT NULL,
            bytes_resent BIGINT       NOT NULL,
            created      TIMESTAMP    NOT NULL,
            updated      TIMESTAMP    NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS ferry_segment (
            transfer_id VARCHAR(512) NOT NULL REFERENCES ferry_transfer (id) ON DELETE CASCADE,
            seg_index   INTEGER      NOT NULL,
            seg_start   BIGINT       NOT NULL,
            seg_end     BIGINT       NOT NULL,
            seg_offset  BIGINT       NOT NULL,
            done        BOOLEAN      NOT NULL,
            PRIMARY KEY (transfer_id, seg_index),
            CHECK (seg_start <= seg_offset AND seg_offset <= seg_end))""",
        "CREATE INDEX IF NOT EXISTS ferry_transfer_status ON ferry_transfer (status, created)",
        "CREATE INDEX IF NOT EXISTS ferry_transfer_updated ON ferry_transfer (updated)",
        // Leases (see Leases); added to ledgers made before them. lease_until is on the database's clock, with its
        // zone, so nodes whose JVMs run in different zones compare it alike.
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS owner VARCHAR(255)",
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS epoch BIGINT DEFAULT 0 NOT NULL",
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS lease_until TIMESTAMP WITH TIME ZONE",
        """
        CREATE TABLE IF NOT EXISTS ferry_node (
            node_id   VARCHAR(255) NOT NULL PRIMARY KEY,
            host      VARCHAR(255) NOT NULL,
            started   TIMESTAMP WITH TIME ZONE NOT NULL,
            heartbeat TIMESTAMP WITH TIME ZONE NOT NULL)""",
    };

    private static final String TRANSFER_COLUMNS = "id, direction, server, remote_path, local_path, status,"
            + " size_bytes, source_mtime, request, reason, bytes_moved, bytes_resent, created, updated";
    private static final String SELECT_TRANSFERS = "SELECT " + TRANSFER_COLUMNS + " FROM ferry_transfer";
    private static final String SELECT_SEGMENTS =
            "SELECT seg_index, seg_start, seg_end, seg_offset, done FROM ferry_segment WHERE transfer_id = ?";
    private static final String INSERT_SEGMENT = "INSERT INTO ferry_segment"
            + " (transfer_id, seg_index, seg_start, seg_end, seg_offset, done) VALUES (?, ?, ?, ?, ?, ?)";

    private final DataSource ds;
    /** The pool this ledger created, closed with it; null when the caller owns the DataSource. */
    private final HikariDataSource ownedPool;
    private final AtomicLong lastMicros = new AtomicLong();
    /** This node's claims on transfers; every write for a transfer is fenced by the claim it holds. */
    private final Leases leases;
    /** The {@link #oneCommit} scope on this thread, or none: then every write commits at once. */
    private final ThreadLocal<Scope> scope = new ThreadLocal<>();

    /** A {@link #oneCommit} scope: its connection, and the transfers it created, not yet written. */
    private record Scope(Connection connection, ScopedRows rows, List<Runnable> whenEnded) {
        Scope(Connection connection) {
            this(connection, new ScopedRows(), new ArrayList<>());
        }
    }

    private JdbcLedger(DataSource ds, HikariDataSource ownedPool, String nodeId) {
        this.ds = ds;
        this.ownedPool = ownedPool;
        this.leases = new Leases(ds, nodeId);
    }

    /** The embedded ledger: an H2 file database {@code <dataDir>/ledger}. */
    public static JdbcLedger h2(Path dataDir) {
        Path db = dataDir.toAbsolutePath().normalize().resolve("ledger");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the ledger directory " + dataDir, e);
        }
        // WRITE_DELAY=0: H2 writes each commit to the file at once (the default batches for 500 ms), so a
        // committed offset survives the JVM being killed. DB_CLOSE_ON_EXIT=FALSE: H2's shutdown hook would close
        // the database under a graceful shutdown still recording its last checkpoints; close() closes it.
        // H2's default file lock keeps other processes out. QUERY_CACHE_SIZE: each connection keeps all of the
        // ledger's ~20 statements parsed (H2 keeps 8 by default, so a burst of small transfers parsed SQL again).
        return pooled("jdbc:h2:file:" + db + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=32", "sa", "",
                "ledger " + db, Leases.defaultNodeId(dataDir));
    }

    /** A ledger at any JDBC URL (jdbc:h2:..., jdbc:postgresql:...). */
    public static JdbcLedger open(String jdbcUrl, String user, String password) {
        return pooled(jdbcUrl, user, password, "ledger " + redact(jdbcUrl), Leases.defaultNodeId(redact(jdbcUrl)));
    }

    /** A ledger on a DataSource the caller owns; {@link #close()} leaves it open. */
    public static JdbcLedger open(DataSource ds) {
        JdbcLedger ledger = new JdbcLedger(Objects.requireNonNull(ds, "ds"), null, Leases.defaultNodeId(ds.toString()));
        ledger.createSchema();
        return ledger;
    }

    private static JdbcLedger pooled(String url, String user, String password, String what, String nodeId) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("ferry-ledger");
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(POOL_SIZE);
        cfg.setMinimumIdle(1);
        // Try one connection up front, so a wrong URL or a locked file fails here and not on first use.
        cfg.setInitializationFailTimeout(1);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            Throwable cause = scrub(e.getCause() != null ? e.getCause() : e, password);
            if (url.startsWith("jdbc:h2:") && h2Locked(cause)) {
                throw new LedgerException(what + " is in use by another Ferry process", cause);
            }
            throw new LedgerException("cannot open " + what + ": " + cause.getMessage(), cause);
        }
        JdbcLedger ledger = new JdbcLedger(pool, pool, nodeId);
        try {
            ledger.createSchema();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.info("Opened {}", what);
        return ledger;
    }

    private void createSchema() {
        try {
            createTables();
        } catch (SQLException first) {
            // Two cluster nodes starting together can race on CREATE ... IF NOT EXISTS in PostgreSQL;
            // the second attempt sees the other's tables.
            try {
                createTables();
            } catch (SQLException e) {
                e.addSuppressed(first);
                throw LedgerException.of("create schema", null, e);
            }
        }
    }

    private void createTables() throws SQLException {
        if (schemaIsCurrent()) {
            // No DDL at all then: on PostgreSQL even "ADD COLUMN IF NOT EXISTS" takes the table's exclusive lock, and a
            // node (re)starting while others commit batches deadlocked with them (found by ClusterFaultTest).
            return;
        }
        // In a transaction of its own: a caller's DataSource may hand out connections that never auto-commit.
        inTx(c -> {
            try (Statement st = c.createStatement()) {
                for (String ddl : SCHEMA) {
                    st.execute(ddl);
                }
            }
            return null;
        });
    }

    /** Whether every table and column of {@link #SCHEMA} is there: its last additions can be read. */
    private boolean schemaIsCurrent() {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeQuery("SELECT owner, epoch, lease_until FROM ferry_transfer WHERE 1 = 0").close();
            st.executeQuery("SELECT node_id, heartbeat FROM ferry_node WHERE 1 = 0").close();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
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
     */
    public void accept(TransferRecord r) {
        Objects.requireNonNull(r, "r");
        Scope s = scope.get();
        if (s != null) {
            if (s.rows().has(r.id())) {
                s.rows().acceptAgain(r, now());
            } else {
                s.rows().born(r, now());
            }
            return;
        }
        Claim claim;
        try {
            try {
                claim = inTx(c -> acceptOnce(c, r));
            } catch (SQLException e) {
                if (!DUPLICATE_KEY.equals(e.getSQLState())) {
                    throw e;
                }
                // Another thread inserted the same id between our look and our insert; now the row is there.
                claim = inTx(c -> acceptOnce(c, r));
            }
        } catch (SQLException e) {
            throw LedgerException.of("accept", r.id(), e);
        }
        if (claim != null) {
            leases.hold(claim);
        }
    }

    /**
     * Accepts and claims: a new or finished transfer for this node in any case, an unfinished one only when no other
     * node holds a live lease on it (then null: that node runs it, and this one's writes for it are refused).
     */
    private Claim acceptOnce(Connection c, TransferRecord r) throws SQLException {
        // A new id, the common case, needs no lock: a concurrent insert of the same id fails on the key and the
        // caller tries again, then finding the row. A plain SELECT also stays parsed in H2's statement cache,
        // where a SELECT ... FOR UPDATE is parsed again every time.
        TransferStatus current = queryOne(c, "SELECT status FROM ferry_transfer WHERE id = ?",
                rs -> TransferStatus.valueOf(rs.getString(1)), r.id());
        if (current != null) {
            // The row lock serialises concurrent accepts of an existing id, so a transfer is re-opened once.
            current = queryOne(c, "SELECT status FROM ferry_transfer WHERE id = ? FOR UPDATE",
                    rs -> TransferStatus.valueOf(rs.getString(1)), r.id());
        }
        Instant now = now();
        if (current == null) {
            update(c, "INSERT INTO ferry_transfer (" + TRANSFER_COLUMNS + ", owner, epoch, lease_until)"
                            + " VALUES (?, ?, ?, ?, ?, ?, -1, -1, ?, NULL, 0, 0, ?, ?, ?, 1, " + Leases.leaseEnd() + ")",
                    r.id(), r.direction(), r.server(), r.remotePath(), r.localPath(), TransferStatus.ACCEPTED,
                    r.request(), now, now, leases.nodeId(), leases.leaseSeconds());
            return new Claim(r.id(), leases.nodeId(), 1);
        } else if (current == TransferStatus.PUBLISHED) {
            // The same file again, later: a new transfer under the same id.
            update(c, "UPDATE ferry_transfer SET status = ?, request = ?, reason = NULL, size_bytes = -1,"
                            + " source_mtime = -1, updated = ? WHERE id = ?",
                    TransferStatus.ACCEPTED, r.request(), now, r.id());
            update(c, "DELETE FROM ferry_segment WHERE transfer_id = ?", r.id());
        } else if (current.finished()) {
            // Failed or cancelled: keep the segments and fingerprint, so the planner can resume where it stopped
            // (it compares the fingerprint and discards them if the source changed).
            update(c, "UPDATE ferry_transfer SET status = ?, request = ?, reason = NULL, updated = ? WHERE id = ?",
                    TransferStatus.ACCEPTED, r.request(), now, r.id());
        }
        return leases.claimIn(c, r.id(), current.finished());
    }

    public Optional<TransferRecord> find(String id) {
        ScopedRows held = held(id);
        if (held != null) {
            return Optional.of(held.find(id));
        }
        return Optional.ofNullable(query("find", id,
                c -> queryOne(c, SELECT_TRANSFERS + " WHERE id = ?", JdbcLedger::transfer, id)));
    }

    /** Marks the transfer ACTIVE with the source's fingerprint, and replaces its segments with {@code plan}. */
    public void start(String id, long size, long sourceMtime, List<SegmentRecord> plan) {
        ScopedRows held = held(id);
        if (held != null) {
            held.start(id, size, sourceMtime, plan, now());
            return;
        }
        tx("start", id, c -> {
            leases.fence(c, id);
            requireTransfer(id, update(c, "UPDATE ferry_transfer SET status = ?, size_bytes = ?, source_mtime = ?,"
                    + " updated = ? WHERE id = ?", TransferStatus.ACTIVE, size, sourceMtime, now(), id));
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
        ScopedRows held = held(id);
        if (held != null) {
            held.status(id, status, reason, now());
            return;
        }
        tx("status", id, c -> {
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
        ScopedRows held = held(id);
        if (held != null) {
            held.published(id, moved, resent, now());
            return;
        }
        tx("published", id, c -> {
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
        if (held(id) != null) {
            return;
        }
        tx("confirm claim", id, c -> {
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

    /** For the ledger's other tables (connection slots, the cluster view): the same database. */
    DataSource dataSource() {
        return ds;
    }

    /** ACCEPTED and ACTIVE transfers, oldest first: what start-up resumes. */
    public List<TransferRecord> unfinished() {
        writeScopedRows();
        return query("unfinished", null, c -> queryList(c, SELECT_TRANSFERS
                + " WHERE status IN ('ACCEPTED', 'ACTIVE') ORDER BY created, id", JdbcLedger::transfer));
    }

    /** Up to {@code limit} transfers, the most recently updated first. */
    public List<TransferRecord> recent(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        writeScopedRows();
        return query("recent", null, c -> queryList(c, SELECT_TRANSFERS
                + " ORDER BY updated DESC, id FETCH FIRST ? ROWS ONLY", JdbcLedger::transfer, limit));
    }

    // ---- segments --------------------------------------------------------------------------------------

    public List<SegmentRecord> segments(String id) {
        ScopedRows held = held(id);
        if (held != null) {
            return held.segments(id);
        }
        return query("segments", id,
                c -> queryList(c, SELECT_SEGMENTS + " ORDER BY seg_index", JdbcLedger::segment, id));
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
        ScopedRows held = held(id);
        if (held != null) {
            held.checkpoint(id, index, offset);
            return;
        }
        tx("checkpoint", id, c -> {
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
        ScopedRows held = held(id);
        if (held != null) {
            held.segmentDone(id, index);
            return;
        }
        tx("segmentDone", id, c -> {
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
        writeScopedRow(id);
        return tx("split", id, c -> {
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

    // ---- IdempotentRepository: keys are finished segments, <transferId>#<index> -------------------------

    @Override
    public boolean contains(String key) {
        SegmentKey k = SegmentKey.parse(key);
        writeScopedRow(k.id);
        Boolean done = query("contains segment " + k.index, k.id, c -> queryOne(c,
                "SELECT done FROM ferry_segment WHERE transfer_id = ? AND seg_index = ?",
                rs -> rs.getBoolean(1), k.id, k.index));
        return Boolean.TRUE.equals(done);
    }

    /** Marks the segment done; true if it was not done before, false if it was or if there is no such segment. */
    @Override
    public boolean add(String key) {
        // The segment step records "done" itself, so this is nearly always a no-op: a read costs no commit.
        if (contains(key)) {
            return false;
        }
        SegmentKey k = SegmentKey.parse(key);
        return tx("add segment " + k.index, k.id, c -> {
            leases.fence(c, k.id);
            return update(c, "UPDATE ferry_segment SET seg_offset = seg_end, done = TRUE"
                    + " WHERE transfer_id = ? AND seg_index = ? AND done = FALSE", k.id, k.index) == 1;
        });
    }

    /**
     * Marks the segment not done, for a route whose segment exchange failed; true if it was done. The offset
     * goes back to the segment's start: nothing says which of its bytes are safe, and the ledger must never
     * run ahead of the data.
     */
    @Override
    public boolean remove(String key) {
        SegmentKey k = SegmentKey.parse(key);
        writeScopedRow(k.id);
        return tx("remove segment " + k.index, k.id, c -> {
            leases.fence(c, k.id);
            return update(c, "UPDATE ferry_segment SET seg_offset = seg_start, done = FALSE"
                    + " WHERE transfer_id = ? AND seg_index = ? AND done = TRUE", k.id, k.index) == 1;
        });
    }

    /** Always true: {@link #add} is already durable, there is nothing left to confirm. */
    @Override
    public boolean confirm(String key) {
        return true;
    }

    /**
     * Deliberately does nothing. Camel calls this only from a management operation; clearing the done flags
     * would make every finished segment be sent again, and the ledger's progress is not a cache to flush.
     */
    @Override
    public void clear() {
        LOG.warn("Ignored a request to clear the ledger's finished segments: they would all be sent again");
    }

    /** No-op: the ledger is usable from construction; {@link #close()} releases the pool. */
    @Override
    public void start() {
    }

    /** No-op: Camel stopping a route must not close the ledger that other routes and recovery use. */
    @Override
    public void stop() {
    }

    @Override
    public void close() {
        leases.close();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    // ---- one commit for many writes ----------------------------------------------------------------------

    /** Work run in a {@link #oneCommit} scope. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** True inside a {@link #oneCommit} scope on this thread. */
    public boolean inOneCommit() {
        return scope.get() != null;
    }

    /**
     * Runs {@code work} with every ledger write it makes on this thread in one commit, at its end: many small
     * transfers then cost one durable write instead of four each. The writes record what happened, so they are
     * committed whether {@code work} returns or throws; a write that fails is undone alone (a savepoint), as it
     * would have been in its own transaction. Until the commit other connections see none of it: use it only where
     * losing the whole scope to a crash is acceptable (its work is repeated from a durable source, such as a file
     * still in an inbox). A scope inside a scope joins the outer one.
     *
     * <p>A transfer the scope accepts is kept in memory ({@link ScopedRows}) and written once at the commit, so
     * only this thread may write to it meanwhile: its rows are not in the tables for another connection to update.
     *
     * @throws LedgerException if the commit fails; nothing of the scope is recorded then
     */
    public <T, E extends Exception> T oneCommit(Work<T, E> work) throws E {
        if (scope.get() != null) {
            return work.run();
        }
        Connection c = null;
        boolean autoCommit;
        try {
            c = ds.getConnection();
            autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
        } catch (SQLException e) {
            LedgerException failure = LedgerException.of("oneCommit", null, e);
            closeAfter(c, failure);
            throw failure;
        }
        Scope s = new Scope(c);
        scope.set(s);
        try {
            T result;
            try {
                result = work.run();
            } catch (Exception | Error e) {
                try {
                    finish(s, autoCommit);
                } catch (LedgerException commit) {
                    e.addSuppressed(commit);
                }
                throw e;
            } finally {
                scope.remove();
            }
            finish(s, autoCommit);
            return result;
        } finally {
            s.whenEnded().forEach(Runnable::run);
        }
    }

    /**
     * Runs {@code action} when this thread's {@link #oneCommit} scope has ended, committed or not, or now when there
     * is none: for what must last until the scope's rows are visible to other connections, such as a claim on a
     * transfer the scope holds in memory.
     */
    public void whenScopeEnds(Runnable action) {
        Scope s = scope.get();
        if (s == null) {
            action.run();
        } else {
            s.whenEnded().add(action);
        }
    }

    /** Commits a scope. Once the commit succeeded, a failure to hand the connection back is logged, not thrown. */
    private void finish(Scope s, boolean autoCommit) {
        Connection c = s.connection();
        LedgerException failure = null;
        try {
            writeRows(c, s.rows().all());
            c.commit();
        } catch (SQLException e) {
            rollbackAfter(c, null, e);
            failure = LedgerException.of("commit", null, e);
        }
        try (c) {
            c.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            if (failure == null) {
                LOG.warn("the ledger's connection could not be reset after a commit: {}", e.getMessage());
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeAfter(Connection c, Exception failure) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** The rows of this thread's scope when they hold the transfer, else null (its row is in the tables). */
    private ScopedRows held(String id) {
        Scope s = scope.get();
        return s != null && s.rows().has(id) ? s.rows() : null;
    }

    /** Writes a transfer the scope on this thread holds in memory, before work that needs its row in SQL. */
    private void writeScopedRow(String id) {
        ScopedRows held = held(id);
        if (held != null) {
            tx("write", id, c -> writeRows(c, List.of(held.row(id))));
            held.written(id);
        }
    }

    /** Writes every transfer the scope on this thread holds in memory, before a query over all of them. */
    private void writeScopedRows() {
        Scope s = scope.get();
        if (s != null && !s.rows().isEmpty()) {
            tx("write", null, c -> writeRows(c, s.rows().all()));
            s.rows().allWritten();
        }
    }

    /**
     * Writes a scope's transfers and their segments, in two batched statements. When the table already has one of
     * them (the same file sent before, or accepted meanwhile through another connection), the batch is undone and
     * that row is brought to the scope's final state instead, the others inserted again.
     */
    private Void writeRows(Connection c, Collection<ScopedRows.Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return null;
        }
        Savepoint before = c.setSavepoint();
        try {
            insertRows(c, rows);
            holdUnfinished(c, rows);
            return null;
        } catch (SQLException e) {
            if (!duplicate(e)) {
                throw e;
            }
            c.rollback(before);
        }
        // Another connection may insert one of the fresh ids between the look and the insert: look again.
        for (int attempt = 1; ; attempt++) {
            Savepoint again = c.setSavepoint();
            try {
                Set<String> there = existing(c, rows);
                List<ScopedRows.Row> fresh = new ArrayList<>();
                for (ScopedRows.Row row : rows) {
                    if (there.contains(row.record.id())) {
                        overwrite(c, row);
                    } else {
                        fresh.add(row);
                    }
                }
                if (!fresh.isEmpty()) {
                    insertRows(c, fresh);
                }
                holdUnfinished(c, rows);
                return null;
            } catch (SQLException e) {
                if (!duplicate(e) || attempt == WRITE_ATTEMPTS) {
                    throw e;
                }
                c.rollback(again);
            }
        }
    }

    /** The rows a scope wrote unfinished are this node's to go on with: their claims, at the epoch written. */
    private void holdUnfinished(Connection c, Collection<ScopedRows.Row> rows) throws SQLException {
        for (ScopedRows.Row row : rows) {
            if (!row.record.status().finished()) {
                String id = row.record.id();
                leases.hold(new Claim(id, leases.nodeId(), queryOne(c, "SELECT epoch FROM ferry_transfer WHERE id = ?",
                        rs -> rs.getLong(1), id)));
            }
        }
    }

    /** The ids among {@code rows} that the table has. */
    private static Set<String> existing(Connection c, Collection<ScopedRows.Row> rows) throws SQLException {
        Set<String> there = new HashSet<>();
        List<String> ids = rows.stream().map(r -> r.record.id()).toList();
        for (int from = 0; from < ids.size(); from += IN_LIST_MAX) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_MAX));
            there.addAll(queryList(c, "SELECT id FROM ferry_transfer WHERE id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")", rs -> rs.getString(1),
                    chunk.toArray()));
        }
        return there;
    }

    private void insertRows(Connection c, Collection<ScopedRows.Row> rows) throws SQLException {
        try (PreparedStatement transfers = c.prepareStatement("INSERT INTO ferry_transfer (" + TRANSFER_COLUMNS
                + ", owner, epoch, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, "
                + Leases.leaseEnd() + ")");
             PreparedStatement segments = c.prepareStatement(INSERT_SEGMENT)) {
            boolean anySegment = false;
            for (ScopedRows.Row row : rows) {
                TransferRecord t = row.record;
                bind(transfers, t.id(), t.direction(), t.server(), t.remotePath(), t.localPath(), t.status(), t.size(),
                        t.sourceMtime(), t.request(), t.reason(), t.bytesMoved(), t.bytesResent(), t.created(),
                        t.updated(), leases.nodeId(), leases.leaseSeconds());
                transfers.addBatch();
                for (SegmentRecord s : row.segments) {
                    bind(segments, t.id(), s.index(), s.start(), s.end(), s.offset(), s.done());
                    segments.addBatch();
                    anySegment = true;
                }
            }
            transfers.executeBatch();
            if (anySegment) {
                segments.executeBatch();
            }
        }
    }

    /** A row the table already had, brought to the scope's final state: counters add up, the creation time stays. */
    private void overwrite(Connection c, ScopedRows.Row row) throws SQLException {
        TransferRecord t = row.record;
        // The scope started the transfer afresh on this node: a new claim, as accept would have made.
        update(c, "UPDATE ferry_transfer SET status = ?, size_bytes = ?, source_mtime = ?, request = ?, reason = ?,"
                        + " bytes_moved = bytes_moved + ?, bytes_resent = bytes_resent + ?, updated = ?, owner = ?,"
                        + " epoch = epoch + 1, lease_until = " + Leases.leaseEnd() + " WHERE id = ?",
                t.status(), t.size(), t.sourceMtime(), t.request(), t.reason(), t.bytesMoved(), t.bytesResent(),
                t.updated(), leases.nodeId(), leases.leaseSeconds(), t.id());
        update(c, "DELETE FROM ferry_segment WHERE transfer_id = ?", t.id());
        for (SegmentRecord s : row.segments) {
            update(c, INSERT_SEGMENT, t.id(), s.index(), s.start(), s.end(), s.offset(), s.done());
        }
    }

    private static boolean duplicate(SQLException e) {
        // A batch reports the failed row's own exception as the next one (PostgreSQL) or as itself (H2).
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (DUPLICATE_KEY.equals(x.getSQLState())
                    || x.getCause() instanceof SQLException cause && DUPLICATE_KEY.equals(cause.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private record SegmentKey(String id, int index) {
        static SegmentKey parse(String key) {
            // The last '#' separates: a transfer id may contain '#', an index never does.
            int hash = key == null ? -1 : key.lastIndexOf('#');
            try {
                return new SegmentKey(key.substring(0, hash), Integer.parseInt(key.substring(hash + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a segment key <transferId>#<index>: " + key);
            }
        }
    }

    private <T> T query(String op, String id, SqlWork<T> work) {
        Scope scoped = scope.get();
        if (scoped != null) {
            try {
                return work.run(scoped.connection());
            } catch (SQLException e) {
                throw LedgerException.of(op, id, e);
            }
        }
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw LedgerException.of(op, id, e);
        }
    }

    private <T> T tx(String op, String id, SqlWork<T> work) {
        try {
            return inTx(work);
        } catch (SQLException e) {
            throw LedgerException.of(op, id, e);
        }
    }

    private <T> T inTx(SqlWork<T> work) throws SQLException {
        Scope s = scope.get();
        if (s != null) {
            Connection scoped = s.connection();
            Savepoint before = scoped.setSavepoint();
            try {
                return work.run(scoped);
            } catch (SQLException | RuntimeException e) {
                rollbackAfter(scoped, before, e);
                throw e;
            }
        }
        try (Connection c = ds.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackAfter(c, null, e);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * Rolls back after {@code failure}, to {@code savepoint} or (null) the whole transaction; a failed rollback stays
     * attached to it, the first failure being the one told.
     */
    private static void rollbackAfter(Connection c, Savepoint savepoint, Exception failure) {
        try {
            if (savepoint != null) {
                c.rollback(savepoint);
            } else {
                c.rollback();
            }
        } catch (SQLException r) {
            failure.addSuppressed(r);
        }
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    private static <T> T queryOne(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        List<T> rows = queryList(c, sql, mapper, params);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static <T> List<T> queryList(Connection c, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null) {
                ps.setNull(i + 1, Types.VARCHAR); // only text columns are nullable
            } else if (p instanceof Instant t) {
                ps.setObject(i + 1, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            } else if (p instanceof Enum<?> e) {
                ps.setString(i + 1, e.name());
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    private static TransferRecord transfer(ResultSet rs) throws SQLException {
        return new TransferRecord(rs.getString("id"), Direction.valueOf(rs.getString("direction")),
                rs.getString("server"), rs.getString("remote_path"), rs.getString("local_path"),
                TransferStatus.valueOf(rs.getString("status")), rs.getLong("size_bytes"), rs.getLong("source_mtime"),
                rs.getString("request"), rs.getString("reason"), rs.getLong("bytes_moved"), rs.getLong("bytes_resent"),
                instant(rs, "created"), instant(rs, "updated"));
    }

    private static SegmentRecord segment(ResultSet rs) throws SQLException {
        return new SegmentRecord(rs.getInt("seg_index"), rs.getLong("seg_start"), rs.getLong("seg_end"),
                rs.getLong("seg_offset"), rs.getBoolean("done"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }

    private static Void requireTransfer(String id, int updated) {
        if (updated == 0) {
            throw new IllegalArgumentException("no transfer " + id + " in the ledger");
        }
        return null;
    }

    private static SegmentRecord requireSegment(Connection c, String id, int index) throws SQLException {
        SegmentRecord s = queryOne(c, SELECT_SEGMENTS + " AND seg_index = ?", JdbcLedger::segment, id, index);
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

    private static boolean h2Locked(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                return true;
            }
        }
        return false;
    }

    /** The URL without its credentials, fit for a message. */
    private static String redact(String url) {
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***").replaceAll("//[^/@?]*@", "//***@");
    }

    /**
     * The cause as it is, unless a driver echoed the password into a message somewhere in its chain; then a
     * copy with the password masked (same classes named, same stack traces).
     */
    private static Throwable scrub(Throwable t, String password) {
        if (password == null || password.isEmpty() || !mentions(t, password)) {
            return t;
        }
        String message = t.getClass().getName() + ": " + String.valueOf(t.getMessage()).replace(password, "***");
        Throwable cause = t.getCause() == null ? null : scrub(t.getCause(), password);
        RuntimeException copy = new RuntimeException(message, cause);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    private static boolean mentions(Throwable t, String secret) {
        for (; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(secret)) {
                return true;
            }
        }
        return false;
    }
}
