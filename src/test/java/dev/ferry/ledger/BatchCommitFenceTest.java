package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.plan.Direction;
import dev.ferry.testing.PostgresSchema;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's follow-up: a batch (one commit) that ran a transfer afresh does not write over a row another node
 * claimed, live, between the batch's look and its commit. Before, the commit's overwrite took that node's claim with
 * no fence (owner and epoch replaced, the other node's run fenced off by a batch that only looked before its work).
 */
class BatchCommitFenceTest {

    @Test
    void aBatchLeavesARowAnotherNodeClaimedMeanwhileAndSaysSo() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_commit_fence");
             JdbcLedger node1 = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger node2 = JdbcLedger.open(schema.url(), "postgres", "")) {
            node1.leases().configure("node-1", 60);
            node2.leases().configure("node-2", 60);
            String taken = "taken-meanwhile";
            String free = "free";
            UnitOfWork[] unit = new UnitOfWork[1];
            node1.oneCommit(batch -> {
                unit[0] = batch;
                for (String id : List.of(taken, free)) {
                    node1.accept(TransferRecord.accepted(id, Direction.UPLOAD, "s", "/" + id, "/tmp/" + id, "{}"));
                    node1.start(id, 10, 1, List.of(new SegmentRecord(0, 0, 10, 0, false)));
                    node1.published(id, 10, 0);
                }
                // node-2 claims the first one while the batch runs (the batch looked before: no one held it).
                node2.accept(TransferRecord.accepted(taken, Direction.UPLOAD, "s", "/" + taken, "/tmp/" + taken, "{}"));
                node2.start(taken, 10, 1, List.of(new SegmentRecord(0, 0, 10, 0, false)));
                return null;
            });
            assertEquals(Set.of(taken), unit[0].refused(), "the batch names the row it left to node-2");
            assertEquals("ACTIVE node-2", schema.statusAndOwner(taken), "node-2's claim survives the batch's commit");
            assertEquals("PUBLISHED node-1", schema.statusAndOwner(free), "the rest of the batch is committed");
        }
    }
}
