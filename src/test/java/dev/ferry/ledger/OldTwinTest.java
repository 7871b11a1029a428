package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.PostgresSchema;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upgrade review: a process of a version from before the heartbeat's process mark (365be3b) still running as node
 * n1 on a shared PostgreSQL ledger, and this version started as n1 too (a copied configuration; a new host started
 * before the old one was stopped): requireNoLiveTwin let it through, as the old process's heartbeat has no mark, and
 * both took n1's unfinished transfers as their own. One that no longer beats (killed for the upgrade) is not refused.
 * Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class OldTwinTest {
    PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_old_twin");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    /** What a node of 365be3b writes at its start and at every renewal: no process mark. */
    private static void oldBeat(JdbcLedger l) throws SQLException {
        Sql.inNewTx(l.dataSource(), c -> {
            if (Sql.update(c, "UPDATE ferry_node SET heartbeat = CURRENT_TIMESTAMP WHERE node_id = ?", "n1") == 0) {
                Sql.update(c, "INSERT INTO ferry_node (node_id, host, started, heartbeat) VALUES (?, ?,"
                        + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", "n1", "old-host");
            }
            return null;
        });
    }

    @Test
    void aLiveProcessOfAVersionWithoutTheMarkIsRefusedAKilledOneIsNot() throws Exception {
        try (JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "")) {
            ledger.leases().configure("n1", 3);
            oldBeat(ledger);
            ScheduledExecutorService old = Executors.newSingleThreadScheduledExecutor();
            try {
                // The old process renews every lease/3, as it does.
                old.scheduleAtFixedRate(() -> {
                    try {
                        oldBeat(ledger);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, 500, 500, TimeUnit.MILLISECONDS);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> ledger.leases().requireNoLiveTwin(), "a live old process as this node was let through");
                assertTrue(e.getMessage().contains("another running Ferry is node n1"), e.getMessage());
            } finally {
                old.shutdownNow();
                old.awaitTermination(5, TimeUnit.SECONDS);
            }
            // Killed for the upgrade: its last heartbeat stays, and the new process starts after one round.
            oldBeat(ledger);
            assertDoesNotThrow(() -> ledger.leases().requireNoLiveTwin());
        }
    }
}
