package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service whose ledger was away for longer than its lease: a renewal that had waited out the outage for its
 * connection came back once the database answered and set the node's last renewal to when it was sent, long before.
 * The claims made meanwhile, just after the outage (drops taken again), stood fenced off at once: a single node
 * stopped them as "another node owns it now", and its drops went to .failed/.
 */
class LeasesAfterOutageTest {
    @TempDir
    Path tmp;

    @Test
    void aRenewalSentBeforeAClaimDoesNotFenceTheClaimWhenItComesBackLate() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + tmp.resolve("ledger") + ";DB_CLOSE_DELAY=-1");
        LedgerSchema.create(h2);
        Gate gate = new Gate(h2);
        Leases leases = new Leases(gate, "node-a");
        leases.configure("node-a", 3);
        assertTrue(leases.renew());

        gate.close(); // the database goes away: the next renewal waits for a connection
        CompletableFuture<Boolean> late = CompletableFuture.supplyAsync(leases::renew);
        assertTrue(gate.waiting.await(10, TimeUnit.SECONDS), "the renewal did not ask for a connection");
        Thread.sleep(2_500); // past two thirds of the 3 s lease since that renewal was sent
        leases.hold(new Claim("u-after-outage", "node-a", 1)); // a claim made now sets its lease from now
        assertTrue(leases.fresh(), "a claim just made");
        gate.open(); // the database answers: the renewal sent 2.5 s ago goes through
        assertTrue(late.get(10, TimeUnit.SECONDS), "the late renewal worked");
        assertTrue(leases.fresh(), "the claim made after the late renewal was sent stands");
    }

    /** A DataSource whose connections wait while it is closed, as a pool's do while its database is away. */
    private static final class Gate implements DataSource {
        private final DataSource inner;
        private final CountDownLatch waiting = new CountDownLatch(1);
        private volatile CountDownLatch open = new CountDownLatch(0);

        Gate(DataSource inner) {
            this.inner = inner;
        }

        void close() {
            open = new CountDownLatch(1);
        }

        void open() {
            open.countDown();
        }

        @Override
        public Connection getConnection() throws SQLException {
            CountDownLatch now = open;
            if (now.getCount() > 0) {
                waiting.countDown();
                try {
                    now.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", e);
                }
            }
            return inner.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return inner.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            inner.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            inner.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return inner.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
