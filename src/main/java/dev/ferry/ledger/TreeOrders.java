package dev.ferry.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Tree requests that came from a queue or the API ({@code ferry_tree_order}): the request is kept from the moment it
 * is accepted until its tree has run, because the message is acknowledged (or the API has answered 202) by then and
 * nothing else would remember it. A request file needs none: it stays in the inbox until its tree ends. Start-up runs
 * every order of its node still here (a crash, a kill, a stop in the middle); the order of a node that stopped for
 * good is taken over by another ({@link #takeOver}), as {@link Leases} takes its transfers over.
 */
public final class TreeOrders {
    /** A tree request as accepted: its tree's id and the request's JSON as it arrived. */
    public record Order(String treeId, String request, String node, Instant created) {
    }

    private final DataSource ds;
    private final Leases leases;

    TreeOrders(DataSource ds, Leases leases) {
        this.ds = ds;
        this.leases = leases;
    }

    /**
     * Records (or replaces) the request for tree {@code treeId}, durably, before the caller acknowledges it; {@code node}
     * runs it, and runs it again after its own restart.
     */
    public void put(String treeId, String request, String node) {
        try {
            Sql.inNewTx(ds, c -> {
                Sql.update(c, "DELETE FROM ferry_tree_order WHERE id = ?", treeId);
                return Sql.update(c, "INSERT INTO ferry_tree_order (id, request, node, created) VALUES (?, ?, ?, ?)",
                        treeId, request, node, Instant.now());
            });
        } catch (SQLException e) {
            throw LedgerException.of("record tree request", treeId, e);
        }
    }

    /** {@link #put} inside the caller's transaction ({@link TreeAcceptance}: the order and the tree's row at once). */
    static void record(java.sql.Connection c, String treeId, String request, String node) throws SQLException {
        Sql.update(c, "DELETE FROM ferry_tree_order WHERE id = ?", treeId);
        Sql.update(c, "INSERT INTO ferry_tree_order (id, request, node, created) VALUES (?, ?, ?, ?)", treeId, request,
                node, Instant.now());
    }

    public Order get(String treeId) {
        try {
            return Sql.inNewTx(ds, c -> Sql.queryOne(c, "SELECT id, request, node, created FROM ferry_tree_order"
                    + " WHERE id = ?",
                    TreeOrders::order, treeId));
        } catch (SQLException e) {
            throw LedgerException.of("read tree request", treeId, e);
        }
    }

    /**
     * The tree ran {@code order} (whatever its outcome, which its ferry_tree row keeps): nothing left to run again. An
     * order put for the same tree since is kept, for its own run.
     */
    public void done(Order order) {
        String treeId = order.treeId();
        try {
            Sql.inNewTx(ds, c -> Sql.update(c, "DELETE FROM ferry_tree_order WHERE id = ? AND created = ?", treeId,
                    order.created()));
        } catch (SQLException e) {
            throw LedgerException.of("forget tree request", treeId, e);
        }
    }

    /** Every order of {@code node}'s whose tree has not run to its end, oldest first. */
    public List<Order> pending(String node) {
        try {
            return Sql.inNewTx(ds, c -> Sql.queryList(c, "SELECT id, request, node, created FROM ferry_tree_order"
                    + " WHERE node = ? ORDER BY created, id", TreeOrders::order, node));
        } catch (SQLException e) {
            throw LedgerException.of("read tree requests", null, e);
        }
    }

    /** The trees some node has an order for: each runs again, on its node or on the one that takes it over. */
    public Set<String> treeIds() {
        try {
            return Sql.inNewTx(ds, c -> new HashSet<>(Sql.queryList(c, "SELECT id FROM ferry_tree_order",
                    rs -> rs.getString(1))));
        } catch (SQLException e) {
            throw LedgerException.of("read tree requests", null, e);
        }
    }

    /**
     * Makes this node the runner of every order whose node's heartbeat ({@code ferry_node}, written by {@link Leases})
     * is older than a lease, and whose tree no run holds under a live lease: that node died or stopped for good, and
     * nothing else would run its trees. (A node with no heartbeat at all keeps its orders: its engine writes one as
     * it starts, so it has barely begun.) {@code FOR UPDATE SKIP LOCKED}, and an update that
     * still names the old node: two nodes taking over at once never take one order, and an order taken is the
     * taker's, whose heartbeat is live, so no one takes it again while that node lives. The caller runs what it got.
     *
     * @return the orders taken, oldest first, now naming this node
     */
    public List<Order> takeOver() {
        String node = leases.nodeId();
        try {
            return Sql.inNewTx(ds, c -> {
                List<Order> stale = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, request, node, created"
                        + " FROM ferry_tree_order o WHERE node <> ? AND EXISTS (SELECT 1 FROM ferry_node n WHERE n.node_id = o.node"
                        + " AND n.heartbeat < CURRENT_TIMESTAMP - CAST(? AS INTEGER) * INTERVAL '1' SECOND)"
                        + " AND NOT EXISTS (SELECT 1 FROM ferry_tree t WHERE t.id = o.id AND t.status IN"
                        + " ('" + TreeListings.LISTING + "', '" + TreeListings.RUNNING + "')"
                        + " AND t.lease_until >= CURRENT_TIMESTAMP)"
                        + " ORDER BY created, id FOR UPDATE SKIP LOCKED")) {
                    Sql.bind(ps, node, leases.leaseSeconds());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            stale.add(order(rs));
                        }
                    }
                }
                List<Order> taken = new ArrayList<>();
                for (Order o : stale) {
                    if (take(c, o, node)) {
                        taken.add(new Order(o.treeId(), o.request(), node, o.created()));
                    }
                }
                return taken;
            });
        } catch (SQLException e) {
            throw LedgerException.of("take over tree requests", null, e);
        }
    }

    private static boolean take(Connection c, Order o, String node) throws SQLException {
        return Sql.update(c, "UPDATE ferry_tree_order SET node = ? WHERE id = ? AND created = ? AND node = ?", node,
                o.treeId(), o.created(), o.node()) == 1;
    }

    private static Order order(java.sql.ResultSet rs) throws SQLException {
        return new Order(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getObject(4, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC));
    }
}
