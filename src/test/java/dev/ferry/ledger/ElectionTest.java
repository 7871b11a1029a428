package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.Await;
import dev.ferry.testing.PostgresSchema;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared inboxes' election on one PostgreSQL schema, two nodes (two ledger handles under their own ids): the first
 * to ask leads; the other leads only once that lead has run out, not renewed (a node dead or frozen); the first, back,
 * finds it taken; a lead given up is taken at the next round. Skipped without PostgreSQL at 127.0.0.1:5432, a failure
 * with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class ElectionTest {
    PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_election");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void oneLeadsUntilItsLeaseRunsOutThenAnother() {
        try (JdbcLedger one = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger two = JdbcLedger.open(schema.url(), "postgres", "")) {
            one.leases().configure("node-1", 60);
            two.leases().configure("node-2", 60);
            Election first = new Election(one);
            Election second = new Election(two);
            assertEquals("node-1", first.round("inbox", 2));
            assertEquals("node-1", second.round("inbox", 2), "node-2 took a live lead");
            assertEquals("node-1", first.round("inbox", 2), "the leader's renewal");
            assertEquals("node-2", second.round("other", 2), "a second name has a leader of its own");
            // node-1 stops renewing (dead, or frozen): its lead runs out, and node-2 takes it.
            Await.until(Duration.ofSeconds(10), () -> "node-2".equals(second.round("inbox", 2)),
                    () -> "node-2 never took the lead that ran out");
            assertEquals("node-2", first.round("inbox", 2), "node-1, back, took the lead back");
            second.resign("inbox");
            assertEquals("node-1", first.round("inbox", 2), "a lead given up is not taken at once");
        }
    }

    /**
     * A rolling upgrade: a node of a version from before the election (365be3b, 2026-12-03) still runs and takes the
     * shared inboxes by the lock file in its ferry.cluster.inbox-lock-dir; its heartbeat row, as that version writes
     * it, has no process mark. A node of this version must not take the inboxes as well (run against a real 365be3b
     * service, both took every drop: 26 of 30 recorded FAILED and filed in .failed/ though delivered, 4 sent twice),
     * and takes them once that node stops beating. A node of this version that stopped cleanly holds nothing back.
     */
    @Test
    void aNodeFromBeforeTheElectionKeepsTheInboxesUntilItStops() throws SQLException {
        try (JdbcLedger one = JdbcLedger.open(schema.url(), "postgres", "")) {
            one.leases().configure("node-1", 60);
            Election first = new Election(one);
            // What a node of 365be3b writes at its start and every renewal (Leases.heartbeat of that version).
            Sql.inNewTx(one.dataSource(), c -> Sql.update(c, "INSERT INTO ferry_node (node_id, host, started,"
                    + " heartbeat) VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", "old-node", "old-host"));
            assertEquals("old-node", first.round("inbox", 2), "took the inboxes an old node holds by its lock file");
            Sql.inNewTx(one.dataSource(), c -> Sql.update(c, "UPDATE ferry_node SET heartbeat = CURRENT_TIMESTAMP"
                    + " WHERE node_id = ?", "old-node"));
            assertEquals("old-node", first.round("inbox", 2), "took the inboxes while the old node still beats");
            // The old node stopped (or was upgraded under another id): its heartbeat ages past the lease.
            Await.until(Duration.ofSeconds(10), () -> "node-1".equals(first.round("inbox", 2)),
                    () -> "node-1 never took the inboxes after the old node stopped");

            try (JdbcLedger two = JdbcLedger.open(schema.url(), "postgres", "")) {
                two.leases().configure("node-2", 60);
                two.leases().renew();
                Election second = new Election(two);
                first.resign("inbox");
                assertEquals("node-2", second.round("inbox", 2), "a live node of this version held the lead back");
                second.resign("inbox");
            }
            assertEquals("node-1", first.round("inbox", 2), "a node of this version that stopped held the lead back");
        }
    }
}
