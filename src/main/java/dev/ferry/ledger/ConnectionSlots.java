package dev.ferry.ledger;

import dev.ferry.DaemonThreads;
import dev.ferry.ftp.ConnectionPermits;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection cap per server for every node on a shared ledger: a connection's place is a row of
 * {@code ferry_slot (server, slot, owner, lease_until)} with {@code slot < limit}, leased like a transfer (database
 * clock) and renewed every lease / 3, so a dead node's slots come free when its lease runs out. A "too many
 * connections" lowers the limit for everyone: {@code ferry_server_limit (server, lowered, until)}, read by every node
 * once a second.
 *
 * <p>A node whose renewals lag past its lease may find a slot taken by another node: it takes a free slot in its
 * place if there is one below the limit, and otherwise has one connection too many, which its pool closes
 * ({@link #whenLost}); the next give-back for that server is that connection's, and frees nothing in the table. One
 * that cannot renew at all gives every slot up two thirds of a lease after its last renewal that worked, before another
 * node may take them ({@link #giveUpIfStale}).
 *
 * <p>A server is named by the pool's key without its last part (a hash of the password, which has no business in a
 * table): user, host and port, what a server counts connections by.
 */
public final class ConnectionSlots implements ConnectionPermits {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSlots.class);
    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS ferry_slot (
            server      VARCHAR(512) NOT NULL,
            slot        INTEGER      NOT NULL,
            owner       VARCHAR(255),
            lease_until TIMESTAMP WITH TIME ZONE,
            PRIMARY KEY (server, slot))""",
        """
        CREATE TABLE IF NOT EXISTS ferry_server_limit (
            server  VARCHAR(512) NOT NULL PRIMARY KEY,
            lowered INTEGER      NOT NULL,
            until   TIMESTAMP WITH TIME ZONE NOT NULL)""",
    };

    private static final String RENEW = "UPDATE ferry_slot SET lease_until = " + Leases.leaseEnd()
            + " WHERE server = ? AND slot = ? AND owner = ?";

    /** How long a stop waits for its last writes to a ledger that does not answer (see {@link #close()}). */
    static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(2);
    private final DataSource ds;
    private final String nodeId;
    private final int leaseSeconds;
    /** The slots this node holds, per server: any of them serves as the one to give back. */
    private final Map<String, Deque<Integer>> held = new HashMap<>();
    /** Slots lost to another node whose connections are still open here, per server (guarded by {@link #held}). */
    private final Map<String, Integer> lost = new HashMap<>();
    /** The pool's key and the limit it last asked with, per server: for a lost slot's replacement and its report. */
    private final Map<String, Asked> asked = new ConcurrentHashMap<>();
    private volatile Consumer<String> whenLost = key -> {
    };
    /** Slot rows known to exist, per server (rows are made once, up to the largest limit asked for). */
    private final Map<String, Integer> made = new ConcurrentHashMap<>();
    /** Lowered limits in force, as last read. */
    private volatile Map<String, Integer> lowered = Map.of();
    private volatile boolean closed;
    /** Set by {@link #stopping()}: slots given back from then on, per server, to be given back in one write at close. */
    private final Map<String, java.util.List<Integer>> givenBackAtClose = new HashMap<>(); // guarded by held
    private volatile boolean stopping;
    /**
     * When the last renewal that worked was sent (or nothing was held): every slot held has a lease that runs at least
     * a lease from then.
     */
    private volatile long renewedAt = System.nanoTime(); // written under held
    /** Renewals, the lowered limits and the staleness check each on a thread: a renewal may wait for the database. */
    private final ScheduledExecutorService ticker =
            Executors.newScheduledThreadPool(3, DaemonThreads.named("ferry-slots"));

    private ConnectionSlots(DataSource ds, String nodeId, int leaseSeconds) {
        this.ds = ds;
        this.nodeId = nodeId;
        this.leaseSeconds = leaseSeconds;
    }

    /**
     * The permits for a service on this ledger: slots in the ledger when it is a shared database (anything but H2,
     * which one process holds), the single process's count otherwise.
     */
    public static ConnectionPermits forLedger(JdbcLedger ledger) {
        try (Connection c = ledger.dataSource().getConnection()) {
            if ("H2".equalsIgnoreCase(c.getMetaData().getDatabaseProductName())) {
                return ConnectionPermits.local();
            }
        } catch (SQLException e) {
            throw LedgerException.of("read the database's kind", null, e);
        }
        return on(ledger);
    }

    /** Slots in this ledger for its node; starts renewing them. A restarted node's old slots are freed at once. */
    public static ConnectionSlots on(JdbcLedger ledger) {
        ConnectionSlots slots = new ConnectionSlots(ledger.dataSource(), ledger.leases().nodeId(),
                (int) ledger.leases().lease().toSeconds());
        slots.createTables();
        slots.update("free this node's slots from before its start",
                "UPDATE ferry_slot SET owner = NULL, lease_until = NULL WHERE owner = ?", slots.nodeId);
        long renewEvery = Math.max(1, slots.leaseSeconds * 1000L / 3);
        slots.ticker.scheduleWithFixedDelay(slots::renew, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        slots.ticker.scheduleWithFixedDelay(slots::readLowered, 0, 1, TimeUnit.SECONDS);
        slots.ticker.scheduleWithFixedDelay(slots::giveUpIfStale, renewEvery, Math.max(1, renewEvery / 4),
                TimeUnit.MILLISECONDS);
        return slots;
    }

    private void createTables() {
        try {
            Sql.ddl(ds, SCHEMA);
        } catch (SQLException e) {
            throw LedgerException.of("create the connection slot tables", null, e);
        }
    }

    static String name(String serverKey) {
        int hash = serverKey.lastIndexOf('#');
        return hash < 0 ? serverKey : serverKey.substring(0, hash);
    }

    @Override
    public boolean tryAcquire(String serverKey, int limit) throws IOException {
        String server = name(serverKey);
        asked.put(server, new Asked(serverKey, limit));
        try {
            makeRows(server, limit);
            Integer slot = takeFreeSlot(server, limit);
            if (slot == null) {
                return false;
            }
            synchronized (held) {
                held.computeIfAbsent(server, k -> new ArrayDeque<>()).push(slot);
            }
            return true;
        } catch (SQLException e) {
            throw new dev.ferry.ftp.PermitUnavailableException("no connection slot for " + server
                    + ": the ledger did not answer (" + e.getMessage() + ")", e);
        }
    }

    /** Rows for slots 0 .. limit-1, made by whichever node asks first (a row another node just made is fine). */
    private void makeRows(String server, int limit) throws SQLException {
        if (made.getOrDefault(server, 0) >= limit) {
            return;
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(true);
            for (int slot = 0; slot < limit; slot++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ferry_slot (server, slot)"
                        + " SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM ferry_slot WHERE server = ? AND slot = ?)")) {
                    ps.setString(1, server);
                    ps.setInt(2, slot);
                    ps.setString(3, server);
                    ps.setInt(4, slot);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState())) {
                        throw e;
                    }
                    // Another node made this row between the look and the insert.
                }
            }
        }
        made.merge(server, limit, Math::max);
    }

    /** Leases a free slot below the limit (never held, given back, or its owner's lease ran out); null if none. */
    private Integer takeFreeSlot(String server, int limit) throws SQLException {
        return Sql.inNewTx(ds, c -> {
            Integer slot = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT slot FROM ferry_slot WHERE server = ?"
                    + " AND slot < ? AND (owner IS NULL OR lease_until < CURRENT_TIMESTAMP)"
                    + " ORDER BY slot FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, server);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        slot = rs.getInt(1);
                    }
                }
            }
            if (slot != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_slot SET owner = ?, lease_until = "
                        + Leases.leaseEnd() + " WHERE server = ? AND slot = ?")) {
                    ps.setString(1, nodeId);
                    ps.setInt(2, leaseSeconds);
                    ps.setString(3, server);
                    ps.setInt(4, slot);
                    ps.executeUpdate();
                }
            }
            return slot;
        });
    }

    @Override
    public void release(String serverKey) {
        String server = name(serverKey);
        Integer slot;
        synchronized (held) {
            int gone = lost.getOrDefault(server, 0);
            if (gone > 0) {
                // This connection's slot is another node's now: nothing to give back.
                lost.put(server, gone - 1);
                return;
            }
            Deque<Integer> mine = held.get(server);
            slot = mine == null ? null : mine.poll();
            if (slot != null && stopping && !closed) {
                givenBackAtClose.computeIfAbsent(server, k -> new java.util.ArrayList<>()).add(slot);
                return;
            }
        }
        if (slot == null) {
            throw new IllegalStateException("released a connection slot for " + server + " that was not taken");
        }
        if (closed) {
            // The service stopped with sessions still open (the ledger may be closed): the lease frees the slot.
            return;
        }
        // Not given back (the ledger does not answer): it is no longer renewed, so it comes free with its lease.
        update("give back connection slot " + slot + " of " + server, "UPDATE ferry_slot SET owner = NULL,"
                + " lease_until = NULL WHERE server = ? AND slot = ? AND owner = ?", server, slot, nodeId);
    }

    @Override
    public void refused(String serverKey, Duration cooldown) {
        String server = name(serverKey);
        int seconds = (int) Math.max(1, cooldown.toSeconds());
        try {
            int open = Sql.inNewTx(ds, c -> {
                int taken;
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ferry_slot WHERE server = ?"
                        + " AND owner IS NOT NULL AND lease_until >= CURRENT_TIMESTAMP")) {
                    ps.setString(1, server);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        taken = Math.max(1, rs.getInt(1));
                    }
                }
                String until = "CURRENT_TIMESTAMP + CAST(? AS INTEGER) * INTERVAL '1' SECOND";
                int n;
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE ferry_server_limit SET lowered = ?, until = " + until + " WHERE server = ?")) {
                    ps.setInt(1, taken);
                    ps.setInt(2, seconds);
                    ps.setString(3, server);
                    n = ps.executeUpdate();
                }
                if (n == 0) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO ferry_server_limit (server, lowered, until) VALUES (?, ?, " + until + ")")) {
                        ps.setString(1, server);
                        ps.setInt(2, taken);
                        ps.setInt(3, seconds);
                        ps.executeUpdate();
                    }
                }
                return taken;
            });
            Map<String, Integer> now = new HashMap<>(lowered);
            now.put(server, open);
            lowered = Map.copyOf(now);
            LOG.info("server {} refused a connection: its limit is {} for every node for {} s", server, open,
                    seconds);
        } catch (SQLException e) {
            // This node's pool lowers its own cap anyway; the others learn it from their own refusal.
            LOG.warn("could not lower the limit of {} for every node: {}", server, e.getMessage());
        }
    }

    @Override
    public int limit(String serverKey, int configured) {
        Integer low = lowered.get(name(serverKey));
        return low == null ? configured : Math.min(low, configured);
    }

    /** The slots this node holds now, per server (for tests and metrics). */
    public Map<String, Integer> held() {
        Map<String, Integer> n = new HashMap<>();
        synchronized (held) {
            held.forEach((server, slots) -> n.put(server, slots.size()));
        }
        return n;
    }

    @Override
    public void whenLost(Consumer<String> holder) {
        this.whenLost = holder;
    }

    @Override
    public boolean inLedger() {
        return true;
    }

    @Override
    public int lost(String serverKey) {
        synchronized (held) {
            return lost.getOrDefault(name(serverKey), 0);
        }
    }

    private void renew() {
        List<Map.Entry<String, Integer>> mine;
        synchronized (held) {
            mine = held.entrySet().stream()
                    .flatMap(e -> e.getValue().stream().map(slot -> Map.entry(e.getKey(), slot))).toList();
        }
        long sent = System.nanoTime();
        if (mine.isEmpty()) {
            renewedSince(sent);
            return;
        }
        int[] renewed;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(RENEW)) {
            c.setAutoCommit(true);
            ps.setQueryTimeout(Math.max(1, leaseSeconds / 3));
            for (Map.Entry<String, Integer> e : mine) {
                ps.setInt(1, leaseSeconds);
                ps.setString(2, e.getKey());
                ps.setInt(3, e.getValue());
                ps.setString(4, nodeId);
                ps.addBatch();
            }
            renewed = ps.executeBatch();
            renewedSince(sent);
        } catch (SQLException | RuntimeException e) {
            if (closed) {
                // Interrupted by the stop, which frees what it can itself (close): no fault to report.
                LOG.debug("node {}: a renewal of its connection slots ended by the stop: {}", nodeId, e.getMessage());
                return;
            }
            LOG.warn("node {} could not renew its connection slots: {}", nodeId, e.getMessage());
            return;
        }
        for (int i = 0; i < mine.size(); i++) {
            if (renewed[i] == 0) {
                notOurs(mine.get(i).getKey(), mine.get(i).getValue());
            }
        }
    }

    /** A renewal sent at {@code sent} worked; one that waited long must not set back a later give-up. */
    private void renewedSince(long sent) {
        synchronized (held) {
            if (sent - renewedAt > 0) {
                renewedAt = sent;
            }
        }
    }

    /**
     * Self-fencing, as {@link Leases} does for transfers: two thirds of a lease after the last renewal that worked,
     * this node must assume that its slots' leases run out before it can renew them and another node takes them. It
     * gives them all up here (their rows come free with the lease) and its pool closes their connections: the idle
     * ones at once, the busy ones when given back (their transfers stop at the same point, fenced off by their own
     * leases). The next borrow takes a slot anew.
     */
    private void giveUpIfStale() {
        long since = System.nanoTime() - renewedAt;
        if (since <= TimeUnit.SECONDS.toNanos(leaseSeconds) * 2 / 3) {
            return;
        }
        Map<String, Integer> doubtful = new HashMap<>();
        synchronized (held) {
            held.forEach((server, slots) -> {
                if (!slots.isEmpty()) {
                    doubtful.put(server, slots.size());
                    lost.merge(server, slots.size(), Integer::sum);
                    slots.clear();
                }
            });
            renewedAt = System.nanoTime();
        }
        doubtful.forEach((server, n) -> {
            LOG.warn("node {} could not renew its connection slots of {} for {} ms (the lease is {} s): another node"
                    + " may take them, so its {} connection(s) there close", nodeId, server,
                    TimeUnit.NANOSECONDS.toMillis(since), leaseSeconds, n);
            String key = asked.get(server).key();
            for (int i = 0; i < n; i++) {
                whenLost.accept(key);
            }
        });
    }

    /**
     * A slot whose renewal found another owner (or none): given back meanwhile, given back and taken again by this
     * node, or lost to another node after this node's lease on it ran out.
     */
    private void notOurs(String server, int slot) {
        try {
            synchronized (held) {
                Deque<Integer> mine = held.get(server);
                if (mine == null || !mine.contains(slot)) {
                    return;
                }
            }
            if (renewOne(server, slot)) {
                return;
            }
            synchronized (held) {
                if (!held.get(server).remove(slot)) {
                    return;
                }
            }
            Asked last = asked.get(server);
            Integer instead = takeFreeSlot(server, limit(last.key(), last.limit()));
            if (instead != null) {
                synchronized (held) {
                    held.get(server).push(instead);
                }
                LOG.info("node {}'s lease on connection slot {} of {} ran out and another node took it; its"
                        + " connection holds slot {} instead", nodeId, slot, server, instead);
                return;
            }
            synchronized (held) {
                lost.merge(server, 1, Integer::sum);
            }
            LOG.warn("node {}'s lease on connection slot {} of {} ran out and another node took it, with no slot"
                    + " free below the limit of {}: closing one connection to {} (renewals of its slots lagged by"
                    + " more than {} s: is the ledger slow or this node starved?)", nodeId, slot, server,
                    last.limit(), server, leaseSeconds);
            whenLost.accept(last.key());
        } catch (SQLException | RuntimeException e) {
            LOG.warn("node {} could not check connection slot {} of {}: {}", nodeId, slot, server, e.getMessage());
        }
    }

    private boolean renewOne(String server, int slot) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(RENEW)) {
            c.setAutoCommit(true);
            ps.setInt(1, leaseSeconds);
            ps.setString(2, server);
            ps.setInt(3, slot);
            ps.setString(4, nodeId);
            return ps.executeUpdate() == 1;
        }
    }

    private void readLowered() {
        Map<String, Integer> now = new HashMap<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT server, lowered FROM ferry_server_limit WHERE until > CURRENT_TIMESTAMP")) {
            c.setAutoCommit(true);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    now.put(rs.getString(1), rs.getInt(2));
                }
            }
            lowered = Map.copyOf(now);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not read the lowered connection limits: {}", e.getMessage());
        }
    }

    private void update(String what, String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setAutoCommit(true);
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("could not {}: {}", what, e.getMessage());
        }
    }

    /**
     * The service is stopping: the pool is about to close every connection, and each give-back would be a write of its
     * own, which a ledger that does not answer holds for the pool's 30 s. They are gathered and given back at
     * {@link #close()} in one write with a bounded wait.
     */
    @Override
    public void stopping() {
        stopping = true;
    }

    /**
     * Stops renewing, and gives back the slots gathered since {@link #stopping()} within two seconds: a ledger that
     * does not answer by then frees them with their lease, as it does the slots of connections still open now.
     */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        Map<String, java.util.List<Integer>> slots;
        synchronized (held) {
            slots = Map.copyOf(givenBackAtClose);
            givenBackAtClose.clear();
        }
        if (slots.isEmpty()) {
            return;
        }
        int count = slots.values().stream().mapToInt(java.util.List::size).sum();
        try {
            boolean done = Sql.inNewTxWithin(ds, STOP_WAIT, "ferry-slots-give-back", c -> {
                for (Map.Entry<String, java.util.List<Integer>> e : slots.entrySet()) {
                    for (int slot : e.getValue()) {
                        Sql.update(c, "UPDATE ferry_slot SET owner = NULL, lease_until = NULL WHERE server = ?"
                                + " AND slot = ? AND owner = ?", e.getKey(), slot, nodeId);
                    }
                }
                return null;
            });
            if (!done) {
                LOG.info("node {}: the ledger did not answer within {} s as the service stopped; its {} connection"
                        + " slot(s) come free when their lease runs out (at most {} s)", nodeId,
                        STOP_WAIT.toSeconds(), count, leaseSeconds);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.info("node {}: could not give back {} connection slot(s) as the service stopped ({}); they come free"
                    + " when their lease runs out (at most {} s)", nodeId, count, e.getMessage(), leaseSeconds);
        }
    }

    private record Asked(String key, int limit) {
    }
}
