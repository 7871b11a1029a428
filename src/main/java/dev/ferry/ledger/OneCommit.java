package dev.ferry.ledger;

import static dev.ferry.ledger.Sql.INSERT_SEGMENT;
import static dev.ferry.ledger.Sql.TRANSFER_COLUMNS;
import static dev.ferry.ledger.Sql.bind;
import static dev.ferry.ledger.Sql.queryList;
import static dev.ferry.ledger.Sql.queryOne;
import static dev.ferry.ledger.Sql.update;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's unit-of-work scope, and where each of its statements runs: in a transaction of its own, or, inside a
 * {@link #run} scope, on the scope's one connection (a savepoint per write), committed once at the scope's end. The
 * scope is the {@link UnitOfWork} its work is handed; only the ledger itself looks the current scope up (to route its
 * statements), so nothing outside {@code ledger} depends on what the current thread is in.
 *
 * <p>A transfer the scope accepts is kept in memory ({@link ScopedRows}) and written once at the commit.
 */
final class OneCommit {
    private static final Logger LOG = LoggerFactory.getLogger(OneCommit.class);
    /** Ids per IN (...) list, well under every driver's limit on parameters. */
    private static final int IN_LIST_MAX = 500;
    /**
     * How often a scope's commit looks again for rows another connection inserted meanwhile, before it fails: each
     * look narrows the window to one statement, so a third collision means something keeps inserting these ids.
     */
    private static final int WRITE_ATTEMPTS = 3;

    private final DataSource ds;
    private final Leases leases;
    /**
     * Scopes that may hold a connection at once ({@link LedgerPool#scopesFor}): a scope waits for its turn here,
     * holding nothing, rather than take the pool's last connections, which its own work and every other write need.
     */
    private final Semaphore scopes;
    /** The scope on this thread, or none: then every write commits at once. */
    private final ThreadLocal<Scope> scope = new ThreadLocal<>();

    /** A scope: its connection, and the transfers it created, not yet written. */
    private record Scope(Connection connection, ScopedRows rows, List<Runnable> whenEnded, Set<String> refused)
            implements UnitOfWork {
        Scope(Connection connection) {
            this(connection, new ScopedRows(), new ArrayList<>(), new HashSet<>());
        }

        @Override
        public boolean deferred() {
            return true;
        }

        @Override
        public void whenEnded(Runnable action) {
            whenEnded.add(action);
        }
    }

    /** Work run in a scope, handed the scope's unit of work. */
    @FunctionalInterface
    interface Work<T, E extends Exception> {
        T run(UnitOfWork unit) throws E;
    }

    OneCommit(DataSource ds, Leases leases, int maxScopes) {
        this.ds = ds;
        this.leases = leases;
        this.scopes = new Semaphore(maxScopes);
    }

    /** See {@link JdbcLedger#oneCommit(JdbcLedger.UnitWork)}. */
    <T, E extends Exception> T run(Work<T, E> work) throws E {
        Scope outer = scope.get();
        if (outer != null) {
            return work.run(outer);
        }
        try {
            scopes.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("oneCommit: interrupted while waiting for a connection", e);
        }
        Connection c = null;
        boolean autoCommit;
        try {
            c = ds.getConnection();
            autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
        } catch (SQLException e) {
            LedgerException failure = LedgerException.of("oneCommit", null, e);
            Sql.closeAfter(c, failure);
            scopes.release();
            throw failure;
        }
        Scope s = new Scope(c);
        scope.set(s);
        try {
            T result;
            try {
                result = work.run(s);
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
            // The connection is back in the pool (finish closes it) before the next scope may take one.
            scopes.release();
            s.whenEnded().forEach(Runnable::run);
        }
    }

    /**
     * Commits a scope and hands its connection back to the pool, however the commit ends: a connection kept after a
     * failure (a RuntimeException or Error too, not only the database's answer) would be one fewer for good, and the
     * scopes share the pool's rest. Once the commit succeeded, a failure to hand the connection back is logged.
     */
    private void finish(Scope s, boolean autoCommit) {
        Connection c = s.connection();
        boolean committed = false;
        LedgerException failure = null;
        try {
            s.refused().addAll(writeRows(c, s.rows().all()));
            c.commit();
            committed = true;
        } catch (SQLException e) {
            failure = LedgerException.of("commit", null, e);
        } finally {
            try (c) {
                if (!committed) {
                    // Before the reset: turning auto-commit back on commits an open transaction.
                    c.rollback();
                }
                c.setAutoCommit(autoCommit);
            } catch (SQLException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    LOG.warn("the ledger's connection could not be {} after a {}: {}", committed ? "reset" : "rolled back",
                            committed ? "commit" : "failed scope", e.getMessage());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---- where a statement runs ----------------------------------------------------------------------------

    /** A read: on the scope's connection (it sees the scope's writes), else on a pooled one. */
    <T> T query(String op, String id, Sql.SqlWork<T> work) {
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

    /** A write, in a transaction of its own or, in a scope, undone alone (a savepoint) when it fails. */
    <T> T tx(String op, String id, Sql.SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return inTx(work);
            } catch (SQLException e) {
                LedgerException failed = LedgerException.of(op, id, e);
                // A connection the database ended (restarted, failed over, the session terminated) fails only the
                // write under way: the pool gives a new one. A write after a file was published (published), or one
                // in a planning, must not end the transfer for it. Not in a scope: its transaction is gone whole.
                if (attempt >= CONNECTION_RETRIES || scope.get() != null || !LedgerException.connectionLost(failed)) {
                    throw failed;
                }
                try {
                    Thread.sleep(250L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw failed;
                }
            }
        }
    }

    /**
     * Tries of a write whose connection was lost (see {@link #tx}): 0.5, 1, 2 and 4 s apart, time for a database's
     * restart; a longer outage ends the write, and the leases' self-fencing stops the node's transfers anyway.
     */
    private static final int CONNECTION_RETRIES = 5;

    <T> T inTx(Sql.SqlWork<T> work) throws SQLException {
        Scope s = scope.get();
        if (s == null) {
            return Sql.inNewTx(ds, work);
        }
        Connection scoped = s.connection();
        Savepoint before = scoped.setSavepoint();
        try {
            return work.run(scoped);
        } catch (SQLException | RuntimeException e) {
            Sql.rollbackAfter(scoped, before, e);
            throw e;
        }
    }

    // ---- the rows a scope holds in memory ------------------------------------------------------------------

    /** The rows of this thread's scope, or null outside one. */
    ScopedRows rows() {
        Scope s = scope.get();
        return s == null ? null : s.rows();
    }

    /** The rows of this thread's scope when they hold the transfer, else null (its row is in the tables). */
    ScopedRows held(String id) {
        Scope s = scope.get();
        return s != null && s.rows().has(id) ? s.rows() : null;
    }

    /** Writes a transfer the scope on this thread holds in memory, before work that needs its row in SQL. */
    void writeScopedRow(String id) {
        ScopedRows held = held(id);
        if (held != null) {
            Set<String> refused = tx("write", id, c -> writeRows(c, List.of(held.row(id))));
            scope.get().refused().addAll(refused);
            held.written(id);
        }
    }

    /** Writes every transfer the scope on this thread holds in memory, before a query over all of them. */
    void writeScopedRows() {
        Scope s = scope.get();
        if (s != null && !s.rows().isEmpty()) {
            s.refused().addAll(tx("write", null, c -> writeRows(c, s.rows().all())));
            s.rows().allWritten();
        }
    }

    /**
     * Writes a scope's transfers and their segments, in two batched statements. When the table already has one of
     * them (the same file sent before, or accepted meanwhile through another connection), the batch is undone and
     * that row is brought to the scope's final state instead, the others inserted again. Returns the ids left as
     * they were because another node holds them (see {@link #overwrite}).
     */
    private Set<String> writeRows(Connection c, Collection<ScopedRows.Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return Set.of();
        }
        Savepoint before = c.setSavepoint();
        try {
            insertRows(c, rows);
            holdUnfinished(c, rows, Set.of());
            return Set.of();
        } catch (SQLException e) {
            if (!Sql.duplicate(e)) {
                throw e;
            }
            c.rollback(before);
        }
        // Another connection may insert one of the fresh ids between the look and the insert: look again.
        for (int attempt = 1; ; attempt++) {
            Savepoint again = c.setSavepoint();
            try {
                Set<String> there = existing(c, rows);
                Set<String> refused = new HashSet<>();
                List<ScopedRows.Row> fresh = new ArrayList<>();
                for (ScopedRows.Row row : rows) {
                    if (!there.contains(row.record.id())) {
                        fresh.add(row);
                    } else if (!overwrite(c, row)) {
                        refused.add(row.record.id());
                    }
                }
                if (!fresh.isEmpty()) {
                    insertRows(c, fresh);
                }
                holdUnfinished(c, rows, refused);
                return refused;
            } catch (SQLException e) {
                if (!Sql.duplicate(e) || attempt == WRITE_ATTEMPTS) {
                    throw e;
                }
                c.rollback(again);
            }
        }
    }

    /** The rows a scope wrote unfinished are this node's to go on with: their claims, at the epoch written. */
    private void holdUnfinished(Connection c, Collection<ScopedRows.Row> rows, Set<String> refused)
            throws SQLException {
        for (ScopedRows.Row row : rows) {
            if (!row.record.status().finished() && !refused.contains(row.record.id())) {
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
                + ", tree_id, source_ctime, owner, epoch, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, 1, " + Leases.leaseEnd() + ")");
             PreparedStatement segments = c.prepareStatement(INSERT_SEGMENT)) {
            boolean anySegment = false;
            for (ScopedRows.Row row : rows) {
                TransferRecord t = row.record;
                bind(transfers, t.id(), t.direction(), t.server(), t.remotePath(), t.localPath(), t.status(), t.size(),
                        t.sourceMtime(), t.request(), t.reason(), t.bytesMoved(), t.bytesResent(), t.created(),
                        t.updated(), t.tree(), t.sourceChangedAt(), leases.nodeId(), leases.leaseSeconds());
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

    /**
     * A row the table already had, brought to the scope's final state: counters add up, the creation time stays.
     * False, and the row left alone, when another node holds it under a live lease: the caller checked before its
     * work that no one did, but a lease that ran out here may have been taken over since, and that node's transfer is
     * the one the ledger follows now (writing over it would take its claim without a fence).
     */
    private boolean overwrite(Connection c, ScopedRows.Row row) throws SQLException {
        TransferRecord t = row.record;
        // The scope started the transfer afresh on this node: a new claim, as accept would have made.
        int updated = update(c, "UPDATE ferry_transfer SET status = ?, size_bytes = ?, source_mtime = ?, request = ?,"
                        + " reason = ?, bytes_moved = bytes_moved + ?, bytes_resent = bytes_resent + ?, updated = ?,"
                        + " tree_id = ?, source_ctime = ?, owner = ?, epoch = epoch + 1, lease_until = "
                        + Leases.leaseEnd() + " WHERE id = ?"
                        + " AND (status NOT IN ('ACCEPTED', 'ACTIVE') OR owner IS NULL OR owner = ?"
                        + " OR lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP)",
                t.status(), t.size(), t.sourceMtime(), t.request(), t.reason(), t.bytesMoved(), t.bytesResent(),
                t.updated(), t.tree(), t.sourceChangedAt(), leases.nodeId(), leases.leaseSeconds(), t.id(), leases.nodeId());
        if (updated == 0) {
            LOG.info("transfer {}: another node took it over while this node's batch ran it; that node's run counts",
                    t.id());
            return false;
        }
        update(c, "DELETE FROM ferry_segment WHERE transfer_id = ?", t.id());
        for (SegmentRecord s : row.segments) {
            update(c, INSERT_SEGMENT, t.id(), s.index(), s.start(), s.end(), s.offset(), s.done());
        }
        return true;
    }
}
