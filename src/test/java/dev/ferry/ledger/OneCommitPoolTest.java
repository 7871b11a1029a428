package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.config.ConfigKeys;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch scope holds a pooled connection until its commit, and its work borrows one more for a moment (a connection
 * slot of the cluster, a write outside the scope). With as many scopes as the pool had connections, every lane
 * waited on the others for the pool's 30 s timeout: on a cluster the leases went unrenewed, PostgreSQL ended the
 * batches' idle transactions and their drops went to .failed/ although they had arrived (CI's ClusterFaultTest).
 */
class OneCommitPoolTest {
    @TempDir
    Path dir;

    private static int batchLanes() {
        return Integer.parseInt(ConfigKeys.find("ferry.inbox.batch-lanes").orElseThrow().defaultValue());
    }

    @Test
    void everyBatchLaneInAScopeCanStillBorrowAConnectionBeside() throws Exception {
        assertAllScopesEnd(batchLanes());
    }

    @Test
    void moreScopesThanThePoolAllowsWaitTheirTurnInsteadOfStarvingIt() throws Exception {
        assertAllScopesEnd(batchLanes() * 2 + 3);
    }

    private void assertAllScopesEnd(int scopes) throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CountDownLatch inside = new CountDownLatch(scopes);
        CountDownLatch ended = new CountDownLatch(scopes);
        ExecutorService threads = Executors.newFixedThreadPool(scopes);
        try (JdbcLedger ledger = JdbcLedger.h2(dir)) {
            for (int i = 0; i < scopes; i++) {
                threads.execute(() -> {
                    try {
                        ledger.oneCommit(unit -> {
                            inside.countDown();
                            // Every scope that can is open before any borrows, as under a burst of drops.
                            inside.await(300, TimeUnit.MILLISECONDS);
                            try (Connection beside = ledger.dataSource().getConnection();
                                 Statement st = beside.createStatement();
                                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM ferry_transfer")) {
                                assertTrue(rs.next());
                            }
                            return null;
                        });
                    } catch (Throwable t) {
                        failures.add(t);
                    } finally {
                        ended.countDown();
                    }
                });
            }
            assertTrue(ended.await(10, TimeUnit.SECONDS), (ended.getCount()) + " of " + scopes
                    + " scopes still waiting for a connection after 10 s (the pool's timeout is 30 s)");
            assertEquals(List.of(), failures);
        } finally {
            threads.shutdownNow();
        }
    }
}
