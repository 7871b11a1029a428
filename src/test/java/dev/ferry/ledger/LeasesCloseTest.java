package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a ledger lets a lease renewal under way finish instead of interrupting it: an interrupt inside H2's file
 * write closes the database file under every session.
 */
class LeasesCloseTest {
    @TempDir
    Path tmp;

    @Test
    void closeWaitsForARenewalUnderWayWithoutInterruptingIt() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + tmp.resolve("ledger") + ";DB_CLOSE_DELAY=-1");
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        DataSource slowForTheRenewer = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")
                            && Thread.currentThread().getName().startsWith("ferry-lease")) {
                        renewing.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            interrupted.set(true);
                            Thread.currentThread().interrupt();
                        }
                        interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
                    }
                    return method.invoke(h2, args);
                });
        JdbcLedger ledger = JdbcLedger.open(slowForTheRenewer);
        ledger.leases().tick();
        assertTrue(renewing.await(10, TimeUnit.SECONDS), "the renewal started");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(ledger::close);
        Thread.sleep(300);
        assertFalse(closing.isDone(), "close waits for the renewal under way");
        release.countDown();
        closing.get(10, TimeUnit.SECONDS);
        assertFalse(interrupted.get(), "the renewal was not interrupted");

        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ferry_node WHERE heartbeat IS NOT NULL")) {
            assertTrue(rs.next() && rs.getInt(1) == 1, "the renewal's heartbeat was written");
            s.execute("SHUTDOWN");
        }
    }
}
