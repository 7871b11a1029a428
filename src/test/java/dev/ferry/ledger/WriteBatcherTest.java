package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBatcherTest {
    @TempDir
    Path tmp;
    private JdbcDataSource ds;
    private WriteBatcher writes;
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @BeforeEach
    void open() throws SQLException {
        ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + tmp.resolve("db") + ";WRITE_DELAY=0");
        ds.setUser("sa");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (k VARCHAR(20) PRIMARY KEY, v INT NOT NULL)");
        }
        writes = new WriteBatcher(ds, "test-writer", 1);
    }

    @AfterEach
    void close() {
        writes.close();
        callers.shutdownNow();
    }

    @Test
    void aFailingWriteInABatchIsRolledBackAloneAndTheOthersCommit() throws Exception {
        CountDownLatch writerBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Holds the writer inside a transaction, so the next three queue up and run as one batch.
        Future<Integer> first = callers.submit(() -> writes.run(c -> {
            writerBusy.countDown();
            await(release);
            return insert(c, "first", 1);
        }));
        assertTrue(writerBusy.await(10, TimeUnit.SECONDS));
        Future<Integer> a = callers.submit(() -> writes.run(c -> insert(c, "a", 2)));
        Future<Integer> bad = callers.submit(() -> writes.run(c -> {
            insert(c, "bad", 3);
            return insert(c, "a-duplicate", 0) + insert(c, "first", 9); // primary key violation after a good row
        }));
        Future<Integer> b = callers.submit(() -> writes.run(c -> insert(c, "b", 4)));
        awaitQueued(3);
        release.countDown();

        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        assertEquals(1, a.get(10, TimeUnit.SECONDS));
        assertEquals(1, b.get(10, TimeUnit.SECONDS));
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> bad.get(10, TimeUnit.SECONDS)).getCause();
        assertTrue(failure instanceof SQLException, String.valueOf(failure));
        assertEquals(List.of("a=2", "b=4", "first=1"), rows(), "the failed write left nothing, not even its first row");
    }

    @Test
    void manyThreadsEachSeeTheirOwnCommittedResult() throws Exception {
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            results.add(callers.submit(() -> writes.run(c -> insert(c, "k" + n, n))));
        }
        for (Future<Integer> r : results) {
            assertEquals(1, r.get(30, TimeUnit.SECONDS));
        }
        assertEquals(200, rows().size());
        // Committed, not merely written: a fresh connection sees every row.
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SUM(v) FROM t")) {
            rs.next();
            assertEquals(199 * 200 / 2, rs.getInt(1));
        }
    }

    @Test
    void severalWritersCommitEveryWriteAndStopTogether() throws Exception {
        writes.close();
        writes = new WriteBatcher(ds, "test-writers", 3);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int n = i;
            results.add(callers.submit(() -> writes.run(c -> insert(c, "w" + n, 1))));
        }
        for (Future<Integer> r : results) {
            assertEquals(1, r.get(30, TimeUnit.SECONDS));
        }
        assertEquals(300, rows().size());
        writes.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("test-writers") || !t.isAlive(), t.getName() + " still runs");
        }
    }

    @Test
    void runtimeExceptionsReachTheirCallerAsThrown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writes.run(c -> {
            throw new IllegalArgumentException("no transfer x");
        }));
        assertEquals("no transfer x", e.getMessage());
    }

    @Test
    void afterCloseWritesFailAtOnceInsteadOfWaiting() throws Exception {
        writes.run(c -> insert(c, "before", 1));
        writes.close();
        Future<Integer> late = callers.submit(() -> writes.run(c -> insert(c, "after", 2)));
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> late.get(5, TimeUnit.SECONDS)).getCause();
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        assertEquals(List.of("before=1"), rows());
    }

    private void awaitQueued(int n) throws InterruptedException {
        // The callers are threads of their own: give them until they are all parked in run().
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queued() < n && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(n, queued(), "callers waiting for the writer");
    }

    private int queued() {
        int parked = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().equals(WriteBatcher.class.getName() + "$Task")
                        && frame.getMethodName().equals("await")) {
                    parked++;
                    break;
                }
            }
        }
        return parked - 1; // the first caller waits too
    }

    private static int insert(Connection c, String k, int v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)")) {
            ps.setString(1, k);
            ps.setInt(2, v);
            return ps.executeUpdate();
        }
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT k, v FROM t ORDER BY k")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "=" + rs.getInt(2));
            }
        }
        return rows;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
