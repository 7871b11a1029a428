package dev.ferry.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One leader per name among the nodes of a shared ledger, under a lease: the leader renews it, any node takes it once
 * it has run out. Unlike a lock file's lock, which a frozen process (SIGSTOP, a paused VM) keeps for as long as it
 * exists, a lease runs out whether its holder is dead or only stopped; the holder learns of it from its own clock
 * ({@code service.LedgerClusterService} gives the lead up two thirds of a lease after its last renewal) or from its
 * next round.
 */
public final class Election {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Election.class);
    private final DataSource ds;
    private final String node;
    /** The node from before the election last seen alive, so that it is told once. */
    private volatile String olderSeen;

    public Election(JdbcLedger ledger) {
        this.ds = ledger.dataSource();
        this.node = ledger.leases().nodeId();
    }

    public String node() {
        return node;
    }

    /**
     * One round for {@code name}: renews this node's lease, or takes the lead when nobody holds a live lease.
     *
     * @return the node that leads now (this one's id when it does), or null when the database cannot say
     */
    public String round(String name, int leaseSeconds) {
        try {
            return Sql.inNewTx(ds, c -> roundIn(c, name, leaseSeconds));
        } catch (SQLException e) {
            if (Sql.duplicate(e)) {
                // Two nodes inserted the first row at once: the other's stands; the next round reads it.
                return null;
            }
            throw LedgerException.of("hold the election " + name, null, e);
        }
    }

    private String roundIn(Connection c, String name, int leaseSeconds) throws SQLException {
        String older = olderNode(c, leaseSeconds);
        if (older != null) {
            // Found in a rolling upgrade: a node of a version from before this election (before 2026-12-05) takes the
            // shared inboxes by the lock file in its ferry.cluster.inbox-lock-dir, which this version knows nothing
            // of, so both took every drop; one sent it, the other recorded it FAILED and filed a reason in .failed/
            // for a delivered file, and some were sent twice. The inboxes are left to it until it stops or is
            // upgraded.
            Sql.update(c, "UPDATE ferry_election SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND"
                    + " WHERE name = ? AND owner = ?", name, node);
            if (!older.equals(olderSeen)) {
                LOG.warn("node {} runs a Ferry from before the inboxes' election, which takes the shared inboxes by"
                        + " a lock file: node {} leaves them to it until it is stopped or upgraded", older, node);
            }
            olderSeen = older;
            return older;
        }
        if (olderSeen != null) {
            LOG.info("node {} no longer runs a Ferry from before the inboxes' election: the nodes elect who takes"
                    + " the shared inboxes", olderSeen);
            olderSeen = null;
        }
        // Renewed by its holder even when run out: nobody took it meanwhile, or the owner would differ.
        if (Sql.update(c, "UPDATE ferry_election SET lease_until = " + Leases.leaseEnd()
                + " WHERE name = ? AND owner = ?", leaseSeconds, name, node) == 1) {
            return node;
        }
        if (Sql.update(c, "UPDATE ferry_election SET owner = ?, epoch = epoch + 1, lease_until = " + Leases.leaseEnd()
                + " WHERE name = ? AND lease_until < CURRENT_TIMESTAMP", node, leaseSeconds, name) == 1) {
            return node;
        }
        String owner = Sql.queryOne(c, "SELECT owner FROM ferry_election WHERE name = ?", rs -> rs.getString(1), name);
        if (owner != null) {
            return owner;
        }
        Sql.update(c, "INSERT INTO ferry_election (name, owner, epoch, lease_until) VALUES (?, ?, 1, "
                + Leases.leaseEnd() + ")", name, node, leaseSeconds);
        return node;
    }

    /**
     * A live node (its heartbeat younger than the lease) whose heartbeat carries no process mark: only a version from
     * before the marks writes none (a node of this version that stopped leaves {@link Leases#STOPPED}). Those
     * versions include every one that took the shared inboxes by a lock file instead of this election.
     */
    private String olderNode(Connection c, int leaseSeconds) throws SQLException {
        return Sql.queryOne(c, "SELECT node_id FROM ferry_node WHERE process IS NULL AND node_id <> ? AND heartbeat >"
                + " CURRENT_TIMESTAMP - CAST(? AS INTEGER) * INTERVAL '1' SECOND ORDER BY node_id FETCH FIRST 1 ROWS"
                + " ONLY", rs -> rs.getString(1), node, leaseSeconds);
    }

    /** Lets the lead go at once (a stop), so another node takes it at its next round, not after the lease. */
    public void resign(String name) {
        try {
            Sql.inNewTx(ds, c -> Sql.update(c, "UPDATE ferry_election SET lease_until = CURRENT_TIMESTAMP"
                    + " - INTERVAL '1' SECOND WHERE name = ? AND owner = ?", name, node));
        } catch (SQLException e) {
            throw LedgerException.of("resign from the election " + name, null, e);
        }
    }
}
