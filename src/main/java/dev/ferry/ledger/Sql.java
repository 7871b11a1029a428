package dev.ferry.ledger;

import dev.ferry.plan.Direction;
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
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** JDBC plumbing shared by the ledger's types: the tables' column lists, statements, binding and row mapping. */
final class Sql {
    static final String DUPLICATE_KEY = "23505";
    static final String TRANSFER_COLUMNS = "id, direction, server, remote_path, local_path, status,"
            + " size_bytes, source_mtime, request, reason, bytes_moved, bytes_resent, created, updated";
    static final String SELECT_TRANSFERS = "SELECT " + TRANSFER_COLUMNS + ", tree_id, source_ctime FROM ferry_transfer";
    static final String SELECT_SEGMENTS =
            "SELECT seg_index, seg_start, seg_end, seg_offset, done FROM ferry_segment WHERE transfer_id = ?";
    static final String INSERT_SEGMENT = "INSERT INTO ferry_segment"
            + " (transfer_id, seg_index, seg_start, seg_end, seg_offset, done) VALUES (?, ?, ?, ?, ?, ?)";

    private Sql() {
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** {@code work} in a transaction of its own, on a connection of {@code ds}. */
    static <T> T inNewTx(DataSource ds, SqlWork<T> work) throws SQLException {
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
     * {@code work} in a transaction of its own, given at most {@code wait}: for a stop's last writes, which only tidy
     * up what a lease frees anyway. A ledger that does not answer held a stop for the pool's 30 s per statement (a
     * minute and more: longer than a container's grace before SIGKILL). Work still running then is left on its daemon
     * thread; closing the pool ends it.
     *
     * @return false when the work did not finish in time
     */
    static boolean inNewTxWithin(DataSource ds, java.time.Duration wait, String name, SqlWork<?> work)
            throws SQLException {
        java.util.concurrent.FutureTask<Object> task = new java.util.concurrent.FutureTask<>(() -> inNewTx(ds, work));
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        try {
            task.get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SQLException(e.getCause());
        }
    }

    /** Any number works as long as every node uses the same one: it names Ferry's schema changes in pg_locks. */
    private static final long SCHEMA_LOCK = 0x46657272795f5351L;

    /**
     * Runs {@code statements} in one transaction that, on PostgreSQL, first takes a transaction-scoped advisory lock:
     * CREATE ... IF NOT EXISTS is not safe against a concurrent one there (both pass the check, the second fails on
     * pg_type's unique index), and three nodes starting together made a retry-once lose (found by ClusterFaultTest).
     */
    static void ddl(DataSource ds, String... statements) throws SQLException {
        ddl(ds, c -> statement -> true, statements);
    }

    /** Which statements a schema change still needs, judged under the schema lock (another node may have run them). */
    interface Needed {
        java.util.function.Predicate<String> of(Connection c) throws SQLException;
    }

    /** {@link #ddl(DataSource, String...)} running only the statements {@code needed} picks, in order. */
    static void ddl(DataSource ds, Needed needed, String... statements) throws SQLException {
        long waited = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                ddlOnce(ds, needed, statements);
                return;
            } catch (SQLException e) {
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || attempt >= DDL_ATTEMPTS) {
                    if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                        throw new SQLException("a change to the ledger's tables waited " + (waited + attempt
                                * DDL_LOCK_WAIT_MILLIS) / 1000 + " s for a table that a running node's transaction"
                                + " holds; start this node again once no transaction holds it for long (see"
                                + " pg_stat_activity): " + e.getMessage(), e.getSQLState(), e);
                    }
                    throw e;
                }
            }
            long pause = Math.min(4_000, 250L << Math.min(attempt, 4));
            waited += pause;
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while a change to the ledger's tables waited for a lock");
            }
        }
    }

    /** PostgreSQL's "lock_not_available": a lock_timeout ran out. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final int DDL_ATTEMPTS = 10;
    /**
     * How long one ALTER waits for its table. While it waits, every other session's use of the table queues behind
     * it (its exclusive lock is first in line), so a long wait would stall every running node: a short one, tried
     * again, lets them through in between.
     */
    private static final long DDL_LOCK_WAIT_MILLIS = 2_000;

    private static void ddlOnce(DataSource ds, Needed needed, String... statements) throws SQLException {
        inNewTx(ds, c -> {
            try (Statement st = c.createStatement()) {
                if ("PostgreSQL".equalsIgnoreCase(c.getMetaData().getDatabaseProductName())) {
                    st.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                    st.execute("SET LOCAL lock_timeout = '" + DDL_LOCK_WAIT_MILLIS + "ms'");
                }
                java.util.function.Predicate<String> run = needed.of(c);
                for (String statement : statements) {
                    if (run.test(statement)) {
                        st.execute(statement);
                    }
                }
            }
            return null;
        });
    }

    /**
     * Rolls back after {@code failure}, to {@code savepoint} or (null) the whole transaction; a failed rollback stays
     * attached to it, the first failure being the one told.
     */
    static void rollbackAfter(Connection c, Savepoint savepoint, Exception failure) {
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

    static void closeAfter(Connection c, Exception failure) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
        }
    }

    static boolean duplicate(SQLException e) {
        // A batch reports the failed row's own exception as the next one (PostgreSQL) or as itself (H2).
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (DUPLICATE_KEY.equals(x.getSQLState())
                    || x.getCause() instanceof SQLException cause && DUPLICATE_KEY.equals(cause.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    static <T> T queryOne(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        List<T> rows = queryList(c, sql, mapper, params);
        return rows.isEmpty() ? null : rows.get(0);
    }

    static <T> List<T> queryList(Connection c, String sql, RowMapper<T> mapper, Object... params)
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

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
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

    static TransferRecord transfer(ResultSet rs) throws SQLException {
        return new TransferRecord(rs.getString("id"), Direction.valueOf(rs.getString("direction")),
                rs.getString("server"), rs.getString("remote_path"), rs.getString("local_path"),
                TransferStatus.valueOf(rs.getString("status")), rs.getLong("size_bytes"), rs.getLong("source_mtime"),
                rs.getString("request"), rs.getString("reason"), rs.getLong("bytes_moved"), rs.getLong("bytes_resent"),
                instant(rs, "created"), instant(rs, "updated"), rs.getString("tree_id"), changedAt(rs));
    }

    private static long changedAt(ResultSet rs) throws SQLException {
        long v = rs.getLong("source_ctime");
        return rs.wasNull() ? -1 : v;
    }

    static SegmentRecord segment(ResultSet rs) throws SQLException {
        return new SegmentRecord(rs.getInt("seg_index"), rs.getLong("seg_start"), rs.getLong("seg_end"),
                rs.getLong("seg_offset"), rs.getBoolean("done"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
}
