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
}
