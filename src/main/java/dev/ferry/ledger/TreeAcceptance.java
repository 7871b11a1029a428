package dev.ferry.ledger;

import dev.ferry.plan.Direction;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * A folder request from a queue or the API accepted in one transaction: its order ({@code ferry_tree_order}, see
 * {@link TreeOrders}) and its tree's row ({@code ferry_tree}), or neither. It claims nothing: the row waits as
 * {@link TreeListings#ACCEPTED}, with no owner and no lease, until the run's {@link TreeListings#begin} claims it. So a
 * request whose run never starts keeps no node out of the tree, and an acceptance, raising no epoch and deleting no
 * listing, cannot fence off or empty a run under way. A tree that runs (in this process, or on another node under a
 * live lease) refuses the request before anything is written, so a refused request never replaces another's order.
 */
public final class TreeAcceptance {
    private final DataSource ds;
    private final Leases leases;

    TreeAcceptance(DataSource ds, Leases leases) {
        this.ds = ds;
        this.leases = leases;
    }

    /**
     * Records {@code request} as this node's order for tree {@code treeId} (replacing one not yet run) and its row as
     * waiting, durably, before the caller acknowledges the request.
     *
     * @throws TreeListings.TreeRunningException the tree runs now, here or on another node: nothing was written
     */
    public void accept(String treeId, Direction direction, String server, String remoteRoot, String localRoot,
                       String request) {
        accept(treeId, direction, server, remoteRoot, localRoot, request, false);
    }

    /**
     * {@link #accept}, or with {@code evenWhileRunning} for a request already acknowledged (a file's request found to
     * name a folder): a tree that runs now keeps its row as it is and the order is recorded beside it, for the order's
     * run to wait for that run (refusing it would forget a request its caller was told was taken).
     */
    public void accept(String treeId, Direction direction, String server, String remoteRoot, String localRoot,
                       String request, boolean evenWhileRunning) {
        try {
            try {
                once(treeId, direction, server, remoteRoot, localRoot, request, evenWhileRunning);
            } catch (SQLException e) {
                if (!Sql.duplicate(e)) {
                    throw e;
                }
                // A run's begin (or another acceptance) inserted the row since this one found none: now it is there
                // to be locked and judged.
                once(treeId, direction, server, remoteRoot, localRoot, request, evenWhileRunning);
            }
        } catch (SQLException e) {
            throw LedgerException.of("accept tree request", treeId, e);
        }
    }

    private void once(String treeId, Direction direction, String server, String remoteRoot, String localRoot,
                      String request, boolean evenWhileRunning) throws SQLException {
        String node = leases.nodeId();
        Sql.inNewTx(ds, c -> {
            String status = null;
            String owner = null;
            boolean lapsed = true;
            try (PreparedStatement ps = c.prepareStatement("SELECT status, owner, (lease_until IS NULL OR lease_until"
                    + " < CURRENT_TIMESTAMP) AS lapsed FROM ferry_tree WHERE id = ? FOR UPDATE")) {
                Sql.bind(ps, treeId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        status = rs.getString(1);
                        owner = rs.getString(2);
                        lapsed = rs.getBoolean(3);
                    }
                }
            }
            Instant now = Instant.now();
            if (status == null) {
                Sql.update(c, "INSERT INTO ferry_tree (id, direction, server, remote_root, local_root, status, listed,"
                        + " entries, files, transferred, skipped, failed, refused, bytes_moved, created, updated)"
                        + " VALUES (?, ?, ?, ?, ?, ?, FALSE, 0, 0, 0, 0, 0, 0, 0, ?, ?)", treeId, direction, server,
                        remoteRoot, localRoot, TreeListings.ACCEPTED, now, now);
            } else {
                // This node's row that no run here holds is a run that died with an earlier process: not running.
                boolean here = node.equals(owner) && leases.holdsTree(treeId);
                if (TreeListings.isRunning(status) && owner != null && !lapsed && (here || !node.equals(owner))) {
                    if (evenWhileRunning) {
                        TreeOrders.record(c, treeId, request, node);
                        return null;
                    }
                    throw new TreeListings.TreeRunningException("tree " + treeId + " (" + server + ":" + remoteRoot
                            + " <-> " + localRoot + ") is running " + (here ? "in this process" : "on node " + owner)
                            + "; a tree runs once at a time, so this request was not accepted: send it again once"
                            + " that run has ended (what it moved is then skipped)");
                }
                // Waiting again, its listing kept for the run's begin to judge by the same rules as before: a tree
                // that ended has no entries left, so it must not read as a walk to resume from.
                Sql.update(c, "UPDATE ferry_tree SET status = ?, listed = CASE WHEN status IN (?, ?) THEN FALSE ELSE"
                        + " listed END, reason = NULL, updated = ? WHERE id = ?", TreeListings.ACCEPTED, TreeListings.DONE,
                        TreeListings.INCOMPLETE, now, treeId);
            }
            TreeOrders.record(c, treeId, request, node);
            return null;
        });
    }
}
