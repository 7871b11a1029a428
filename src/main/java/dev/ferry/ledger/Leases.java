package dev.ferry.ledger;

import dev.ferry.DaemonThreads;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which transfers this node owns: the ledger is the work queue, and a running transfer's row names its owner (a
 * node id), an epoch raised by every claim, and a lease expiry taken from the database's clock, never a JVM's.
 *
 * <ul>
 *   <li>{@link #claimUnfinished} is start-up recovery and the takeover of a dead node's work in one loop: a node
 *       takes its own unfinished rows back at once, another node's only after that node's lease ran out.
 *       {@code FOR UPDATE SKIP LOCKED} makes two nodes claiming at once take different rows.</li>
 *   <li>{@link #fence} is the first statement of every write for a transfer: the row must still name this node and
 *       the epoch it claimed, or the write is refused ({@link LostLeaseException}) and counted.</li>
 *   <li>{@link #tick} renews every lease this node holds (lease / 3 apart) and writes its heartbeat; a node that has
 *       not renewed for two thirds of the lease gives all its claims up at once (it must assume another node takes
 *       them at the lease's end) and tells {@link #whenLost} listeners to stop those transfers.</li>
 * </ul>
 *
 * <p>Where a taken-over transfer continues ({@link #sharedStorage}): a node's local files are its own unless the data
 * dir is on storage every node sees. Without it, a claim of a download another node ran deletes its segments in the
 * claim's transaction — their offsets describe bytes on that node's disk — so the planner starts it afresh here, and
 * another node's uploads are never claimed (the source file is on that node's disk). An embedded H2 ledger has one
 * node, whose files are always its own, whatever id wrote a row (a host renamed, a data dir moved).
 */
public final class Leases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
    static final int DEFAULT_LEASE_SECONDS = 30;
    /** How long {@link #close} lets a renewal under way finish. */
    private static final long CLOSE_WAIT_SECONDS = 2;
    private static final String UNFINISHED = "status IN ('ACCEPTED', 'ACTIVE')";
    /** Rows per claim round: a round is one transaction holding their row locks, so it stays short. */
    private static final int CLAIM_BATCH = 500;

    private final DataSource ds;
    private volatile String nodeId;
    private volatile int leaseSeconds = DEFAULT_LEASE_SECONDS;
    private volatile boolean sharedStorage;
    /** Null until the first claim looks at the database: an embedded H2 ledger has one node only. */
    private volatile Boolean oneNode;
    private final Map<String, Claim> held = new ConcurrentHashMap<>();
    /** Trees ({@code ferry_tree}) this process runs: renewed with the transfers (see {@link TreeListings#begin}). */
    private final Map<String, Claim> trees = new ConcurrentHashMap<>();
    private final AtomicLong fencedOff = new AtomicLong();
    private final List<Consumer<Set<String>>> whenLost = new CopyOnWriteArrayList<>();
    private final List<Runnable> whenDisplaced = new CopyOnWriteArrayList<>();
    private volatile boolean displaced;
    /**
     * When the last renewal that succeeded was sent, or the first claim since none was held was made (JVM monotonic
     * clock: only this node's own deadline). Never moves back.
     */
    private final AtomicLong renewedAt = new AtomicLong(System.nanoTime());
    /** Why the last renewal failed; null once one worked again. */
    private volatile String renewalFailure;
    private volatile long lastTick;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile boolean registered;
    /**
     * The mark a node's heartbeat keeps once its process stopped. Not NULL: a NULL mark with a fresh heartbeat is a
     * node of a version from before the marks, and such a node may hold the shared inboxes by Camel's lock file rather
     * than by the ledger's {@link Election} (see there), which a stopped node must not be taken for.
     */
    static final String STOPPED = "stopped";

    /** This process among all that ever ran as this node: its heartbeat's signature. */
    private final String process = newProcessMark();
    // Renewal runs here, off the engine's ticker: a database that hangs must not stop the self-fencing check.
    private final ExecutorService renewer = Executors.newSingleThreadExecutor(DaemonThreads.named("ferry-lease"));

    Leases(DataSource ds, String nodeId) {
        this.ds = ds;
        this.nodeId = nodeId;
    }

    /**
     * The default node id: the host name and a short hash of the data directory, so two services on one host with
     * different data directories are two nodes, and a restarted service is the same node (it takes its rows back).
     */
    public static String defaultNodeId(Path dataDir) {
        return defaultNodeId(dataDir.toAbsolutePath().normalize().toString());
    }

    /** The host name and a short hash of {@code place} (a data directory, or a ledger's URL when there is none). */
    static String defaultNodeId(String place) {
        String host = hostName();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(place.getBytes(StandardCharsets.UTF_8));
            return host + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    /**
     * A PostgreSQL URL with {@code idle_in_transaction_session_timeout} set to two leases (unless the URL sets
     * {@code options} itself); other URLs as they are. A node cut off in the middle of a write leaves its transaction
     * open on the server, holding the transfer's row lock, and the other nodes' claims skip locked rows: without the
     * timeout they could not take its work over until the server noticed the dead connection (hours, with TCP's
     * defaults). With it the server ends that session two leases after it stalled. Two, not one: a batch's one
     * commit ({@link JdbcLedger#oneCommit}) stays open while its files move, and must not be ended by a slow file.
     *
     * <p>And the driver's {@code socketTimeout} at three leases (unless the URL sets it): a link that stops answering
     * without closing (packets dropped) left a read on a connection used a moment before -- which the pool hands out
     * unchecked -- waiting for as long as the kernel kept the connection, minutes to hours, and with it a node's API
     * request or lease renewal. No statement of Ferry's waits that long: a row lock is held at most two leases.
     */
    public static String withSessionTimeouts(String jdbcUrl, int leaseSeconds) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            return jdbcUrl;
        }
        StringBuilder url = new StringBuilder(jdbcUrl);
        if (!jdbcUrl.contains("options=")) {
            url.append(url.indexOf("?") >= 0 ? '&' : '?')
                    .append("options=-c%20idle_in_transaction_session_timeout%3D").append(leaseSeconds * 2000L);
        }
        if (!jdbcUrl.contains("socketTimeout=")) {
            url.append(url.indexOf("?") >= 0 ? '&' : '?').append("socketTimeout=").append(leaseSeconds * 3L);
        }
        return url.toString();
    }

    /** Sets this node's id and lease length; before the first claim (the service does it right after opening). */
    public void configure(String nodeId, int leaseSeconds) {
        if (nodeId == null || nodeId.isBlank() || nodeId.length() > 255) {
            throw new IllegalArgumentException("ferry.node-id must be 1 to 255 characters: '" + nodeId + "'");
        }
        if (leaseSeconds < 3) {
            throw new IllegalArgumentException("ferry.cluster.lease-seconds must be at least 3: " + leaseSeconds);
        }
        this.nodeId = nodeId;
        this.leaseSeconds = leaseSeconds;
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * {@code ferry.cluster.shared-storage}: every node sees the same data dir at the same path, so a transfer taken
     * over from another node continues from that node's files (part file and offsets, inbox file).
     */
    public void sharedStorage(boolean shared) {
        this.sharedStorage = shared;
    }

    /** Whether this node may continue from files another node wrote: shared storage, or the only node there is. */
    boolean filesAreShared(Connection c) throws SQLException {
        if (oneNode == null) {
            oneNode = "H2".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
        }
        return sharedStorage || oneNode;
    }

    public Duration lease() {
        return Duration.ofSeconds(leaseSeconds);
    }

    /** Writes refused because this node no longer owned the transfer (each one a write that did not land). */
    public long fencedOff() {
        return fencedOff.get();
    }

    /**
     * Whether this node's last renewal that worked is recent enough for its claims to stand: false from the moment
     * {@link #tick} gives them up (a process frozen past its lease, a database out of reach). A writer asks before
     * each write, so a node woken after another took its transfers over stops before it writes into their files:
     * the other node's published download is the same inode as the part file this one still holds open.
     */
    public boolean fresh() {
        return !displaced && System.nanoTime() - renewedAt.get() <= TimeUnit.SECONDS.toNanos(leaseSeconds) * 2 / 3;
    }

    /**
     * How long ago the last renewal that worked was sent: this node's last write to the ledger known to have landed.
     * A ledger that still answers reads but takes no write (its disk full, a database switched to read-only) shows
     * here, and in {@link #fresh}, and nowhere a read looks.
     */
    public Duration sinceRenewed() {
        return Duration.ofNanos(Math.max(0, System.nanoTime() - renewedAt.get()));
    }

    /** Why the last renewal failed (the database's words, as the log has them); null while the last one worked. */
    public String renewalFailure() {
        return renewalFailure;
    }

    /**
     * Called once when another process turned out to run as this node (see {@link #renew}): this one has given up
     * every claim and claims nothing more; its owner stops it.
     */
    public void whenDisplaced(Runnable listener) {
        whenDisplaced.add(listener);
    }

    /** Whether another process took this node's heartbeat over (a twin): if so, this one claims nothing more. */
    public boolean displaced() {
        return displaced;
    }

    public boolean holds(String transferId) {
        return held.containsKey(transferId);
    }

    public Optional<Claim> claimOf(String transferId) {
        return Optional.ofNullable(held.get(transferId));
    }

    /** Called with the ids of transfers this node gave up (lease not renewed in time): stop them, record nothing. */
    public void whenLost(Consumer<Set<String>> listener) {
        whenLost.add(listener);
    }

    // ---- claiming -----------------------------------------------------------------------------------------------

    /**
     * One round of the claim loop: takes the unfinished rows that have no owner, are this node's own, or whose
     * owner's lease ran out, except those {@code busy} says this node runs already (and those it holds). Without
     * shared storage another node's uploads stay with it (their source file is on that node's disk), and another
     * node's downloads start over here (see {@link #take}).
     *
     * @return the claims taken, oldest transfer first
     */
    public List<Claim> claimUnfinished(Predicate<String> busy) {
        List<Claim> taken;
        try {
            taken = Sql.inNewTx(ds, c -> {
                boolean shared = filesAreShared(c);
                List<Row> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, direction, owner FROM ferry_transfer"
                        + " WHERE " + UNFINISHED + " AND (owner IS NULL OR owner = ? OR lease_until IS NULL"
                        + " OR lease_until < CURRENT_TIMESTAMP)" + (shared ? ""
                        : " AND (direction = 'DOWNLOAD' OR owner IS NULL OR owner = ?)")
                        + " ORDER BY created, id FETCH FIRST ? ROWS ONLY FOR UPDATE SKIP LOCKED")) {
                    int i = 1;
                    ps.setString(i++, nodeId);
                    if (!shared) {
                        ps.setString(i++, nodeId);
                    }
                    ps.setInt(i, CLAIM_BATCH);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3)));
                        }
                    }
                }
                List<Claim> took = new ArrayList<>();
                for (Row row : rows) {
                    if (!held.containsKey(row.id()) && !busy.test(row.id())) {
                        took.add(take(c, row, shared));
                    }
                }
                return took;
            });
        } catch (SQLException e) {
            throw LedgerException.of("claim unfinished transfers", null, e);
        }
        taken.forEach(this::hold);
        return taken;
    }

    /**
     * Claims one unfinished transfer if nobody holds a live lease on it (for an operator's resume).
     *
     * @return the claim, or empty when another node's lease on it is still running (or it is not unfinished)
     */
    public Optional<Claim> claim(String transferId) {
        Claim claim;
        try {
            claim = Sql.inNewTx(ds, c -> claimIn(c, transferId, false));
        } catch (SQLException e) {
            throw LedgerException.of("claim", transferId, e);
        }
        if (claim != null) {
            hold(claim);
        }
        return Optional.ofNullable(claim);
    }

    /**
     * Claims a cancelled or failed transfer to give it up (a discard) when the node that ran it stopped (no lease on
     * it, no heartbeat for a lease): a node that died after a cancel left the row its own, and no other node could
     * remove the partial copy. Empty while that node lives (or the transfer is not cancelled or failed).
     */
    public Optional<Claim> claimToGiveUp(String transferId) {
        Claim claim;
        try {
            claim = Sql.inNewTx(ds, c -> {
                boolean shared = filesAreShared(c);
                try (PreparedStatement ps = c.prepareStatement("SELECT id, direction, owner FROM ferry_transfer"
                        + " WHERE id = ? AND status IN ('CANCELLED', 'FAILED') AND (owner IS NULL OR owner = ? OR"
                        + " ((lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP) AND NOT EXISTS (SELECT 1 FROM"
                        + " ferry_node n WHERE n.node_id = ferry_transfer.owner AND n.heartbeat > CURRENT_TIMESTAMP -"
                        + " CAST(? AS INTEGER) * INTERVAL '1' SECOND))) FOR UPDATE")) {
                    ps.setString(1, transferId);
                    ps.setString(2, nodeId);
                    // Its node's heartbeat older than a lease: that node stopped (a live node gives its claim up
                    // when a transfer ends, and its partial copy may be on its own disk).
                    ps.setInt(3, leaseSeconds);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return null;
                        }
                        return take(c, new Row(rs.getString(1), rs.getString(2), rs.getString(3)), shared);
                    }
                }
            });
        } catch (SQLException e) {
            throw LedgerException.of("claim to give up", transferId, e);
        }
        if (claim != null) {
            hold(claim);
        }
        return Optional.ofNullable(claim);
    }

    /** Who holds the transfer and until when (database clock), for messages; empty if no row or no owner. */
    public Optional<String> describeOwner(String transferId) {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT owner, lease_until, CURRENT_TIMESTAMP FROM ferry_transfer WHERE id = ?")) {
            ps.setString(1, transferId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Optional.empty();
                }
                java.time.OffsetDateTime until = rs.getObject(2, java.time.OffsetDateTime.class);
                java.time.OffsetDateTime now = rs.getObject(3, java.time.OffsetDateTime.class);
                String left = until == null || now == null ? "" : until.isAfter(now)
                        ? ", lease ends in " + Duration.between(now, until).toSeconds() + " s" : ", lease expired";
                return Optional.of("node " + rs.getString(1) + left);
            }
        } catch (SQLException e) {
            throw LedgerException.of("owner", transferId, e);
        }
    }

    /**
     * Claims a row inside the caller's transaction (accept). {@code always}: a new or finished transfer, claimed
     * whoever owned it before; otherwise only when it has no live owner. Null when another node's lease holds.
     * The caller {@link #hold}s the claim once its transaction committed.
     */
    Claim claimIn(Connection c, String id, boolean always) throws SQLException {
        boolean shared = filesAreShared(c);
        Row row;
        long epoch;
        try (PreparedStatement ps = c.prepareStatement("SELECT id, direction, owner, epoch FROM ferry_transfer"
                + " WHERE id = ?"
                + (always ? "" : " AND " + UNFINISHED + " AND (owner IS NULL OR owner = ? OR lease_until IS NULL"
                + " OR lease_until < CURRENT_TIMESTAMP)" + (shared ? ""
                : " AND (direction = 'DOWNLOAD' OR owner IS NULL OR owner = ?)")) + " FOR UPDATE")) {
            ps.setString(1, id);
            if (!always) {
                ps.setString(2, nodeId);
                if (!shared) {
                    ps.setString(3, nodeId);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                row = new Row(rs.getString(1), rs.getString(2), rs.getString(3));
                epoch = rs.getLong(4);
            }
        }
        Claim current = held.get(id);
        if (!always && current != null && nodeId.equals(row.owner()) && current.epoch() == epoch) {
            // This node's claim still holds (a request for a transfer it runs, again): a new epoch would fence off
            // its own running segments. The lease is renewed instead.
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE ferry_transfer SET lease_until = " + leaseEnd() + " WHERE id = ?")) {
                ps.setInt(1, leaseSeconds);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return current;
        }
        return take(c, row, shared);
    }

    /**
     * Claims a row locked by the caller. A download another node ran loses its segments here, in the claim's own
     * transaction, unless the files are shared: their offsets count bytes in that node's part file, and a part file
     * on this disk (a stale one at the same path) must never be completed with them — the planner, finding no
     * segments, starts the download afresh with a new part file.
     */
    private Claim take(Connection c, Row row, boolean shared) throws SQLException {
        if (displaced) {
            throw new LostLeaseException(row.id(), "node " + nodeId + " runs in another process now; this one claims"
                    + " nothing more");
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_transfer SET owner = ?, epoch = epoch + 1,"
                + " lease_until = " + leaseEnd() + " WHERE id = ?")) {
            ps.setString(1, nodeId);
            ps.setInt(2, leaseSeconds);
            ps.setString(3, row.id());
            ps.executeUpdate();
        }
        if (!shared && row.owner() != null && !row.owner().equals(nodeId) && "DOWNLOAD".equals(row.direction())) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM ferry_segment WHERE transfer_id = ?")) {
                ps.setString(1, row.id());
                if (ps.executeUpdate() > 0) {
                    LOG.info("{}: taken over from node {}; its partial data is on that node's disk (no"
                            + " ferry.cluster.shared-storage), so the download starts over here", row.id(),
                            row.owner());
                }
            }
        }
        return new Claim(row.id(), nodeId, epoch(c, row.id()));
    }

    /** An unfinished row as the claim loop sees it: who ran it, and which way its bytes go. */
    private record Row(String id, String direction, String owner) {
    }

    private static long epoch(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM ferry_transfer WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The SQL for "now + lease" on the database's clock; its one parameter is the lease in seconds. */
    static String leaseEnd() {
        return "CURRENT_TIMESTAMP + CAST(? AS INTEGER) * INTERVAL '1' SECOND";
    }

    int leaseSeconds() {
        return leaseSeconds;
    }

    void hold(Claim claim) {
        if (held.isEmpty()) {
            // The first lease since none was held: it was set just now, whatever the last renewal found.
            renewedAt.set(System.nanoTime());
        }
        held.put(claim.transferId(), claim);
    }

    /** A tree's run claimed its row: its lease is renewed from now on. */
    void holdTree(Claim claim) {
        if (held.isEmpty() && trees.isEmpty()) {
            renewedAt.set(System.nanoTime());
        }
        trees.put(claim.transferId(), claim);
    }

    /** The tree's run under {@code claim} ended: its lease is no longer renewed. */
    void releasedTree(Claim claim) {
        trees.remove(claim.transferId(), claim);
    }

    /** Whether a run of the tree in this process holds its row. */
    boolean holdsTree(String treeId) {
        return trees.containsKey(treeId);
    }

    /** Whether the run under {@code claim} still holds its tree's row (not given up by {@link #selfFence}). */
    boolean holdsTree(Claim claim) {
        return claim.equals(trees.get(claim.transferId()));
    }

    /** The transfer ended (published, failed, cancelled): nothing more to renew or fence. */
    public void released(String transferId) {
        held.remove(transferId);
    }

    // ---- fencing ------------------------------------------------------------------------------------------------

    /**
     * The first statement of a write's transaction: touches the row only if it still names this node and the epoch
     * of its claim, and keeps it locked to the commit, so a claim by another node waits for this write or wins
     * before it. Refused: {@link LostLeaseException}, counted, and the claim forgotten.
     *
     * @throws IllegalArgumentException when there is no such transfer at all
     */
    void fence(Connection c, String id) throws SQLException {
        fence(c, id, null);
    }

    /**
     * {@link #fence(Connection, String)} for a writer that was handed {@code by}, the claim its run started under: a
     * thread of an earlier run on this same node (hung in a write through a self-fencing, say) is refused once this
     * node has claimed the transfer again, though the row names this node.
     */
    void fence(Connection c, String id, Claim by) throws SQLException {
        Claim claim = held.get(id);
        if (by != null && claim != null && by.epoch() != claim.epoch()) {
            fencedOff.incrementAndGet();
            throw new LostLeaseException(id, "a write of node " + nodeId + "'s run under epoch " + by.epoch()
                    + " came after its claim under epoch " + claim.epoch());
        }
        // "SET epoch = epoch" changes nothing but takes the row's lock; "updated" stays what it means, the last change
        // to the transfer itself (a checkpoint is not one).
        if (claim != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE ferry_transfer SET epoch = epoch WHERE id = ? AND owner = ? AND epoch = ?")) {
                ps.setString(1, id);
                ps.setString(2, claim.owner());
                ps.setLong(3, claim.epoch());
                if (ps.executeUpdate() == 1) {
                    return;
                }
            }
        } else {
            // A finished transfer this node ended (or one from before leases): nobody runs it, so correcting its
            // record cannot overwrite another node's work. An unfinished one needs a claim.
            try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_transfer SET epoch = epoch WHERE id = ?"
                    + " AND status NOT IN ('ACCEPTED', 'ACTIVE') AND (owner IS NULL OR owner = ?)")) {
                ps.setString(1, id);
                ps.setString(2, nodeId);
                if (ps.executeUpdate() == 1) {
                    return;
                }
            }
        }
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ferry_transfer WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        if (!exists) {
            throw new IllegalArgumentException("no transfer " + id + " in the ledger");
        }
        fencedOff.incrementAndGet();
        held.remove(id, claim);
        throw new LostLeaseException(id, claim == null ? "node " + nodeId + " holds no claim on it"
                : "node " + nodeId + " lost its claim (epoch " + claim.epoch() + ")");
    }

    // ---- renewal --------------------------------------------------------------------------------------------------

    /**
     * For the engine's ticker, as often as it likes: renews the leases every lease / 3 (on a thread of its own) and
     * gives every claim up when the last renewal that worked was sent two thirds of a lease ago.
     */
    public void tick() {
        long now = System.nanoTime();
        long lease = TimeUnit.SECONDS.toNanos(leaseSeconds);
        if ((!held.isEmpty() || !trees.isEmpty()) && now - renewedAt.get() > lease * 2 / 3) {
            selfFence(Duration.ofNanos(now - renewedAt.get()));
        }
        if (now - lastTick >= lease / 3 && renewing.compareAndSet(false, true)) {
            lastTick = now;
            try {
                renewer.execute(() -> {
                    try {
                        renew();
                    } finally {
                        renewing.set(false);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                renewing.set(false);
            }
        }
    }

    /** Renews every lease this node holds and writes its heartbeat, now; false (logged) if the database refused. */
    public boolean renew() {
        if (displaced) {
            return false;
        }
        long sent = System.nanoTime();
        try {
            String twin = Sql.inNewTx(ds, c -> {
                String other = heartbeat(c);
                if (other != null) {
                    return other;
                }
                // Only the claims this process holds, not every row naming this node: a node restarted under the
                // same id leaves some of its old rows to others (files waiting in a shared inbox, taken by the
                // elected node), and renewing those would keep them from everyone for as long as it runs.
                try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_transfer SET lease_until = "
                        + leaseEnd() + " WHERE id = ? AND owner = ? AND epoch = ? AND " + UNFINISHED)) {
                    ps.setQueryTimeout(Math.max(1, leaseSeconds / 3));
                    for (Claim claim : held.values()) {
                        ps.setInt(1, leaseSeconds);
                        ps.setString(2, claim.transferId());
                        ps.setString(3, claim.owner());
                        ps.setLong(4, claim.epoch());
                        ps.addBatch();
                    }
                    if (!held.isEmpty()) {
                        ps.executeBatch();
                    }
                }
                if (!trees.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_tree SET lease_until = "
                            + leaseEnd() + " WHERE id = ? AND owner = ? AND epoch = ?")) {
                        ps.setQueryTimeout(Math.max(1, leaseSeconds / 3));
                        for (Claim claim : trees.values()) {
                            ps.setInt(1, leaseSeconds);
                            ps.setString(2, claim.transferId());
                            ps.setString(3, claim.owner());
                            ps.setLong(4, claim.epoch());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                return null;
            });
            if (twin != null) {
                displace(twin);
                return false;
            }
            // Never back: a renewal that waited out a database outage for its connection was sent long ago, and a
            // claim made since it was sent (hold: its lease set then) stood fenced off the moment the renewal came
            // back -- a single node's drops taken just after the outage were stopped as "another node owns it now".
            renewedAt.accumulateAndGet(sent, (was, now) -> now - was > 0 ? now : was);
            renewalFailure = null;
            return true;
        } catch (SQLException | RuntimeException e) {
            LedgerPool.afterFailure(e); // a database that closed itself is opened again by the next round
            if (renewer.isShutdown()) {
                // The stop's close interrupted it after its wait, and said so once.
                LOG.debug("node {}: a lease renewal ended by the stop: {}", nodeId, e.getMessage());
            } else {
                LOG.warn("node {} could not renew its leases: {}", nodeId, e.getMessage());
            }
            renewalFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return false;
        }
    }

    /**
     * Writes this process's heartbeat as its node's. The first takes the node's row whatever it says (the start's
     * {@link #requireNoLiveTwin} looked); every later one only while the row is still this process's, and otherwise
     * returns the host of the process whose mark is there now: a twin that started at the same moment, or a process
     * started as this node while this one was frozen for longer than a lease.
     */
    private String heartbeat(Connection c) throws SQLException {
        String started = registered ? "" : ", started = CURRENT_TIMESTAMP";
        String stillOurs = registered ? " AND (process IS NULL OR process = ?)" : "";
        try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_node SET heartbeat = CURRENT_TIMESTAMP, host = ?,"
                + " process = ?" + started + " WHERE node_id = ?" + stillOurs)) {
            ps.setString(1, hostName());
            ps.setString(2, process);
            ps.setString(3, nodeId);
            if (registered) {
                ps.setString(4, process);
            }
            if (ps.executeUpdate() == 0) {
                String other = registered ? Sql.queryOne(c, "SELECT host FROM ferry_node WHERE node_id = ?",
                        rs -> String.valueOf(rs.getString(1)), nodeId) : null;
                if (other != null) {
                    return other;
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO ferry_node (node_id, host, started,"
                        + " heartbeat, process) VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?)")) {
                    insert.setString(1, nodeId);
                    insert.setString(2, hostName());
                    insert.setString(3, process);
                    insert.executeUpdate();
                }
            }
        }
        registered = true;
        return null;
    }

    private void displace(String twinHost) {
        displaced = true;
        LOG.error("node {}: another process (on host {}) now runs as this node, so this one stops: two processes with"
                + " one ferry.node-id take each other's transfers and write the same files; give each node its own"
                + " ferry.node-id and ferry.data-dir", nodeId, twinHost);
        giveUpAll();
        for (Runnable l : whenDisplaced) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warn("a displaced-node listener failed: {}", e.toString());
            }
        }
    }

    private void selfFence(Duration since) {
        if (held.isEmpty() && trees.isEmpty()) {
            return;
        }
        LOG.error("node {} could not renew its leases for {} s (lease {} s): it stops its {} transfer(s) and {}"
                + " folder run(s), which another node takes over", nodeId, since.toSeconds(), leaseSeconds,
                held.size(), trees.size());
        giveUpAll();
    }

    /** Stops every transfer and folder run this node holds, recording nothing: another node takes them over. */
    private void giveUpAll() {
        Set<String> lost = Set.copyOf(held.keySet());
        held.keySet().removeAll(lost);
        // A folder's run too: it starts none of its files once its row is given up (TreeState.lost).
        trees.clear();
        if (lost.isEmpty()) {
            return;
        }
        for (Consumer<Set<String>> l : whenLost) {
            try {
                l.accept(lost);
            } catch (RuntimeException e) {
                LOG.warn("a lost-lease listener failed: {}", e.toString());
            }
        }
    }

    /**
     * Lets a renewal under way finish rather than interrupting it: an interrupted renewal is a renewal lost (and on a
     * plain file channel, before the embedded ledger's {@code async:} file system, it closed H2's file under every
     * session, and the next command in this JVM found it closed). A write the database answers takes milliseconds;
     * one it does not answer (PostgreSQL unreachable) is not worth holding the stop for, so after two seconds it is
     * interrupted.
     */
    @Override
    public void close() {
        renewer.shutdown();
        try {
            if (!renewer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("node {}: a lease renewal still runs as the ledger closes; it is interrupted", nodeId);
                renewer.shutdownNow();
            }
        } catch (InterruptedException e) {
            renewer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (registered) {
            // Stopped, not dead: a start right after it need not wait to see whether this process still beats.
            // Within a bounded wait: a ledger that does not answer held the stop here for the pool's 30 s, and the mark
            // only spares the next start a wait of one renewal round.
            try {
                if (!Sql.inNewTxWithin(ds, ConnectionSlots.STOP_WAIT, "ferry-node-stopped", c -> Sql.update(c,
                        "UPDATE ferry_node SET process = ? WHERE node_id = ? AND process = ?", STOPPED, nodeId,
                        process))) {
                    LOG.info("node {}: the ledger did not answer within {} s as the service stopped; its next start"
                            + " waits one renewal round to see that this process is gone", nodeId,
                            ConnectionSlots.STOP_WAIT.toSeconds());
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("node {}: its heartbeat's process was not cleared: {}", nodeId, e.getMessage());
            }
        }
    }

    /**
     * Refuses to start a second live process as this node. Two processes with one {@code ferry.node-id} (a copied
     * configuration, or two services on one data directory) each take the other's transfers as their own, unfinished
     * rows a restarted node takes back at once, and both write the same file. A heartbeat of another process younger
     * than a renewal round may be a process that was just killed: it is watched for one more round, and only one that
     * beats again is refused, also one whose heartbeat has no mark (a version from before the marks); a process
     * that stopped marked its heartbeat {@link #STOPPED}, and is not waited for.
     *
     * @throws IllegalStateException when another live process writes this node's heartbeat
     */
    public void requireNoLiveTwin() {
        long round = TimeUnit.SECONDS.toMillis(leaseSeconds) / 3;
        Beat first = beat();
        // A fresh heartbeat without a mark is watched too: a version from before the marks writes none, and such a
        // process still running as this node (a copied configuration, a new host started before the old one was
        // stopped in an upgrade) was let through, and both ran this node's transfers.
        if (first == null || STOPPED.equals(first.process) || process.equals(first.process)
                || first.ageMillis > round * 2 + 1000) {
            return;
        }
        long waitMillis = round * 3 / 2 + 500 - first.ageMillis;
        if (waitMillis > 0) {
            LOG.info("node {}: another process beat as this node {} ms ago; waiting {} ms to see whether it still"
                    + " runs", nodeId, first.ageMillis, waitMillis);
            try {
                Thread.sleep(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Beat then = beat();
        if (then != null && !STOPPED.equals(then.process) && !process.equals(then.process)
                && (!java.util.Objects.equals(then.process, first.process) || then.heartbeat.after(first.heartbeat))) {
            throw new IllegalStateException("another running Ferry is node " + nodeId + " (on host " + then.host
                    + ", its heartbeat " + then.ageMillis + " ms ago): two processes with one ferry.node-id take each"
                    + " other's transfers and write the same files; give each node its own ferry.node-id and its own"
                    + " ferry.data-dir, or stop the other one first");
        }
    }

    private static String newProcessMark() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private record Beat(String host, String process, java.sql.Timestamp heartbeat, long ageMillis) {
    }

    private Beat beat() {
        try {
            return Sql.inNewTx(ds, c -> Sql.queryOne(c, "SELECT host, process, heartbeat, CURRENT_TIMESTAMP FROM"
                    + " ferry_node WHERE node_id = ?", rs -> new Beat(rs.getString(1), rs.getString(2),
                    rs.getTimestamp(3), rs.getTimestamp(4).getTime() - rs.getTimestamp(3).getTime()), nodeId));
        } catch (SQLException e) {
            throw LedgerException.of("read node " + nodeId + "'s heartbeat", null, e);
        }
    }
}
