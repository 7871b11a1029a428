package dev.ferry.ledger;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * Tree requests that came from a queue or the API ({@code ferry_tree_order}): the request is kept from the moment it
 * is accepted until its tree has run, because the message is acknowledged (or the API has answered 202) by then and
 * nothing else would remember it. A request file needs none: it stays in the inbox until its tree ends. Start-up runs
 * every order still here (a crash, a kill, a stop in the middle).
 */
public final class TreeOrders {
    /** A tree request as accepted: its tree's id and the request's JSON as it arrived. */
    public record Order(String treeId, String request, String node, Instant created) {
    }

    private final DataSource ds;

    TreeOrders(DataSource ds) {
        this.ds = ds;
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

    private static Order order(java.sql.ResultSet rs) throws SQLException {
        return new Order(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getObject(4, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC));
    }
}
