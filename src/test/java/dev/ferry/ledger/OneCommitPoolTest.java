package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.config.ConfigKeys;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
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

    @Test
    void aScopeWhoseCommitFailsOutsideTheDatabaseStillGivesItsConnectionBack() {
        AtomicInteger out = new AtomicInteger();
        AtomicBoolean commitThrows = new AtomicBoolean();
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:one-commit-leak;DB_CLOSE_DELAY=-1");
        DataSource counting = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, h2, args);
                    if (!(result instanceof Connection real)) {
                        return result;
                    }
                    out.incrementAndGet();
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("commit") && commitThrows.getAndSet(false)) {
                                    throw new IllegalStateException("not an SQLException: a bug, say");
                                }
                                if (m.getName().equals("close") && !real.isClosed()) {
                                    out.decrementAndGet();
                                }
                                return invoke(m, real, a);
                            });
                });
        try (JdbcLedger ledger = JdbcLedger.open(counting)) {
            int before = out.get();
            commitThrows.set(true);
            assertThrows(IllegalStateException.class, () -> ledger.oneCommit(unit -> null));
            // A pool would have lost this connection for good: a handful of such failures and the scopes starve.
            assertEquals(before, out.get(), "connections taken and not given back");
        }
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
