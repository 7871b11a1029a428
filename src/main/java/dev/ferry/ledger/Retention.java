package dev.ferry.ledger;

import java.sql.SQLException;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Takes published transfers and folder runs that ended {@code DONE} out of the ledger once they are older than the
 * retention period ({@code ferry.ledger.keep-days}). Nothing deleted them: every transfer ever done stayed, with its
 * request and segments, and a review's service held a 300 MB embedded ledger after 7,000 transfers, growing for as
 * long as it ran. A FAILED or CANCELLED transfer stays (it may be resumed, and a download's part file waits for it), as
 * does a folder run that did not end DONE (its listing serves the next run of its request) and every file of a folder
 * still running. Deleted {@link #BATCH} rows at a time, each batch its own short transaction, so no other node's commit
 * waits behind a large delete.
 */
public final class Retention {
    static final int BATCH = 500;
    private final DataSource ds;

    Retention(DataSource ds) {
        this.ds = ds;
    }

    /** @return how many transfers and folder runs left the ledger (segments and listings go with them) */
    public int prune(Instant before) {
        try {
            int gone = deleteAll("DELETE FROM ferry_transfer WHERE id IN (SELECT t.id FROM ferry_transfer t"
                    + " WHERE t.status = ? AND t.updated < ? AND (t.tree_id IS NULL OR NOT EXISTS (SELECT 1 FROM"
                    + " ferry_tree r WHERE r.id = t.tree_id AND r.status IN (?, ?, ?))) FETCH FIRST " + BATCH
                    + " ROWS ONLY)", TransferStatus.PUBLISHED.name(), before, TreeListings.LISTING,
                    TreeListings.RUNNING, TreeListings.ACCEPTED);
            return gone + deleteAll("DELETE FROM ferry_tree WHERE id IN (SELECT id FROM ferry_tree WHERE status = ?"
                    + " AND updated < ? FETCH FIRST " + BATCH + " ROWS ONLY)", TreeListings.DONE, before);
        } catch (SQLException e) {
            throw LedgerException.of("prune finished transfers", null, e);
        }
    }

    private int deleteAll(String sql, Object... params) throws SQLException {
        int gone = 0;
        int n;
        do {
            n = Sql.inNewTx(ds, c -> Sql.update(c, sql, params));
            gone += n;
        } while (n == BATCH);
        return gone;
    }
}
