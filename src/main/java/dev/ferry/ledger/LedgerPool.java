package dev.ferry.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Set;

/** The connection pool a ledger opens for itself, and the one-line failures a wrong URL or a locked file give. */
final class LedgerPool {
    /** H2's error code when another process holds the database file's lock. */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;
    // A batch scope holds one connection until its commit, so the pool has the batch lanes' eight
    // (ferry.inbox.batch-lanes) and RESERVE more for everything else: transfers' segments, leases, slots, the page.
    private static final int POOL_SIZE = 12;
    /**
     * Connections no batch scope may hold. A lane inside its scope still borrows one more for a moment (a connection
     * slot, a write outside the scope): with every connection held by a scope, each such lane waited on the others
     * for the pool's 30 s timeout, the leases went unrenewed and every batch failed (ClusterFaultTest in CI).
     */
    static final int RESERVE = 4;
    /** H2's error codes for a database that closed itself (a write failed: a full disk) or was shut down. */
    private static final Set<Integer> H2_CLOSED = Set.of(90098, 90121);
    /** The embedded H2 pools of this process (see {@link #afterFailure}). */
    private static final Set<HikariDataSource> H2_POOLS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private LedgerPool() {
    }

    /** @param what the ledger as a message names it, without credentials */
    static HikariDataSource open(String url, String user, String password, String what) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("ferry-ledger");
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(POOL_SIZE);
        cfg.setMinimumIdle(1);
        // Try one connection up front, so a wrong URL or a locked file fails here and not on first use.
        cfg.setInitializationFailTimeout(1);
        try {
            HikariDataSource pool = new HikariDataSource(cfg);
            if (url.startsWith("jdbc:h2:")) {
                H2_POOLS.add(pool);
            }
            return pool;
        } catch (RuntimeException e) {
            throw failure(url, password, what, e.getCause() != null ? e.getCause() : e);
        }
    }

    /**
     * Told of every ledger failure. H2 closes its database itself when a write fails (the disk full), and the pool
     * kept lending out the connections of the closed database, which H2 still calls valid: every statement failed
     * ("The database has been closed"), also once the space was free again, until the service was restarted. The
     * pools let those connections go, and the next connection opens the database again.
     */
    static void afterFailure(Throwable cause) {
        if (!closedDatabase(cause)) {
            return;
        }
        H2_POOLS.removeIf(HikariDataSource::isClosed);
        for (HikariDataSource pool : H2_POOLS) {
            com.zaxxer.hikari.HikariPoolMXBean bean = pool.getHikariPoolMXBean();
            if (bean != null) {
                bean.softEvictConnections();
            }
        }
    }

    private static boolean closedDatabase(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && H2_CLOSED.contains(s.getErrorCode())) {
                return true;
            }
        }
        return false;
    }

    /**
     * How many batch scopes ({@link OneCommit}) may hold a connection of {@code ds} at once: all but {@link #RESERVE}
     * of a pool's; unbounded where connections are opened on demand ({@link DirectConnections}) or the pool is not
     * one this class knows (the caller's DataSource: its owner sized it).
     */
    static int scopesFor(javax.sql.DataSource ds) {
        if (ds instanceof HikariDataSource pool) {
            return Math.max(1, pool.getMaximumPoolSize() - RESERVE);
        }
        return Integer.MAX_VALUE;
    }

    /** An embedded H2 ledger for one command, without a pool ({@link DirectConnections}); the same failures. */
    static DirectConnections direct(String url, String user, String password, String what) {
        try {
            return new DirectConnections(new org.h2.Driver(), url, user, password);
        } catch (java.sql.SQLException | RuntimeException e) {
            throw failure(url, password, what, e);
        }
    }

    private static LedgerException failure(String url, String password, String what, Throwable e) {
        Throwable cause = scrub(e, password);
        if (url.startsWith("jdbc:h2:") && h2Locked(cause)) {
            return new LedgerException(what + " is in use by another Ferry process", cause,
                    LedgerException.Kind.IN_USE);
        }
        return new LedgerException("cannot open " + what + ": " + cause.getMessage(), cause);
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
    static String redact(String url) {
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
        String message = t.getClass().getName() + ": " + dev.ferry.ftp.Secret.masked(String.valueOf(t.getMessage()),
                password, "***");
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
