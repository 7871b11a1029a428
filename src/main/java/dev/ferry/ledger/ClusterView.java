package dev.ferry.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What any node can see of the cluster, read from the shared ledger: the nodes with their last heartbeat, and which
 * node owns each transfer. Times are compared on the database's clock, like the leases themselves.
 */
public final class ClusterView {
    /** Ids per IN (...) list, well under every driver's limit on parameters. */
    private static final int IN_LIST_MAX = 500;

    /**
     * One node as its heartbeat row says. {@code live}: its last heartbeat is younger than a lease (a node renews
     * every lease / 3, so a node that missed a whole lease is down, and its transfers are being taken over).
     */
    public record Node(String id, String host, Instant started, Instant heartbeat, long secondsSinceHeartbeat,
                       boolean live) {
    }

    /** A transfer's owner, and whether its lease runs now (false: expired, another node may take it). */
    public record Owner(String node, boolean leaseLive) {
    }

    private final DataSource ds;
    private final Leases leases;

    private ClusterView(DataSource ds, Leases leases) {
        this.ds = ds;
        this.leases = leases;
    }

    public static ClusterView of(JdbcLedger ledger) {
        return new ClusterView(ledger.dataSource(), ledger.leases());
    }

    /** This node's id. */
    public String self() {
        return leases.nodeId();
    }

    /** Every node that ever wrote a heartbeat into this ledger, by id. */
    public List<Node> nodes() {
        List<Node> nodes = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT node_id, host, started, heartbeat, CURRENT_TIMESTAMP FROM ferry_node ORDER BY node_id")) {
            ps.setQueryTimeout(5);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant heartbeat = rs.getObject(4, OffsetDateTime.class).toInstant();
                    Instant now = rs.getObject(5, OffsetDateTime.class).toInstant();
                    Duration since = Duration.between(heartbeat, now);
                    nodes.add(new Node(rs.getString(1), rs.getString(2),
                            rs.getObject(3, OffsetDateTime.class).toInstant(), heartbeat,
                            Math.max(0, since.toSeconds()), since.compareTo(leases.lease()) < 0));
                }
            }
        } catch (SQLException e) {
            throw LedgerException.of("list the nodes", null, e);
        }
        return nodes;
    }

    /**
     * Another node holds a live lease on this unfinished transfer (it claimed the row when this node's ran out): a
     * batch's one commit must not run it, as its commit would take that node's row over, unfenced, while it runs.
     * {@code known} is the row as the caller read it (no second query for a transfer that is new or finished).
     */
    public boolean heldElsewhere(String id, java.util.Optional<TransferRecord> known) {
        if (known.isEmpty() || known.get().status().finished()) {
            return false;
        }
        Owner owner = owners(List.of(id)).get(id);
        return owner != null && owner.leaseLive() && !owner.node().equals(self());
    }

    /**
     * The unfinished transfers other nodes hold a live lease on now (each took one over when this node's lease ran
     * out): for a batch of many files, one query instead of {@link #heldElsewhere(String, java.util.Optional)} per
     * file. Unfinished rows are few, and found through the status index.
     */
    public java.util.Set<String> heldElsewhere() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id FROM"
                + " ferry_transfer WHERE status IN ('ACCEPTED', 'ACTIVE') AND owner IS NOT NULL AND owner <> ?"
                + " AND lease_until >= CURRENT_TIMESTAMP")) {
            ps.setString(1, self());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw LedgerException.of("read the transfers other nodes hold", null, e);
        }
        return ids;
    }

    /** The owners of these transfers; a transfer nobody ever claimed is left out. */
    public Map<String, Owner> owners(Collection<String> ids) {
        Map<String, Owner> owners = new HashMap<>();
        List<String> all = List.copyOf(ids);
        try (Connection c = ds.getConnection()) {
            for (int from = 0; from < all.size(); from += IN_LIST_MAX) {
                List<String> part = all.subList(from, Math.min(all.size(), from + IN_LIST_MAX));
                String marks = String.join(", ", java.util.Collections.nCopies(part.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement("SELECT id, owner, CASE WHEN lease_until IS NOT NULL"
                        + " AND lease_until >= CURRENT_TIMESTAMP THEN 1 ELSE 0 END FROM ferry_transfer"
                        + " WHERE owner IS NOT NULL AND id IN (" + marks + ")")) {
                    for (int i = 0; i < part.size(); i++) {
                        ps.setString(i + 1, part.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            owners.put(rs.getString(1), new Owner(rs.getString(2), rs.getInt(3) == 1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw LedgerException.of("read the transfers' owners", null, e);
        }
        return owners;
    }
}
