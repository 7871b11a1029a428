package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcLedgerH2Test extends JdbcLedgerContract {

    @TempDir
    Path dataDir;

    @Override
    protected void resetStore() {
        // A fresh @TempDir per test is already an empty store.
    }

    @Override
    protected JdbcLedger openLedger() {
        return open(dataDir.resolve("data"));
    }

    /** The embedded ledger as the service opens it; {@link JdbcLedgerH2OneFileTest} as {@code ferry get} does. */
    protected JdbcLedger open(Path dir) {
        return JdbcLedger.h2(dir);
    }

    /** How {@link LedgerCrashChild} opens it, the same way as {@link #open}. */
    protected String childMode() {
        return LedgerCrashChild.SERVICE;
    }

    /**
     * Another JVM holds the ledger: opening it here must fail clearly. Then that JVM commits a checkpoint and is
     * killed (SIGKILL: no shutdown hooks, H2 gets no chance to close) the moment it says so; the checkpoint must
     * be there when the ledger reopens.
     */
    /**
     * A new ledger's schema probe asks for a table that is not there yet; H2 wrote that expected error into
     * ledger.trace.db beside the ledger, so every new ledger came with a file of errors.
     */
    @Test
    void aNewLedgerLeavesNoTraceFileOfErrors() throws Exception {
        Path dir = dataDir.resolve("fresh");
        try (JdbcLedger fresh = open(dir)) {
            assertFalse(fresh.instance().isEmpty()); // its tables were made and answer
        }
        assertTrue(java.nio.file.Files.exists(dir.resolve("ledger.mv.db")), "the ledger's file");
        assertFalse(java.nio.file.Files.exists(dir.resolve("ledger.trace.db")), "no ledger.trace.db");
    }

    @Test
    void aLockedLedgerIsRefusedAndACommittedCheckpointSurvivesKill9() throws Exception {
        ledger.close(); // the child must be the only process with the database open
        ledger = null;
        Path dir = dataDir.resolve("data");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LedgerCrashChild.class.getName(), dir.toString(), childMode())
                .redirectErrorStream(true)
                .start();
        try {
            BlockingQueue<String> lines = lines(child);
            awaitLine(lines, LedgerCrashChild.OPEN);

            LedgerException inUse = assertThrows(LedgerException.class, () -> open(dir));
            assertEquals("ledger " + dir.toAbsolutePath().resolve("ledger") + " is in use by another Ferry process",
                    inUse.getMessage());
            // A review of the command line: a second ferry command on the same ledger said only "is in use" (exit 1).
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = dev.ferry.cli.Cli.run(new String[] {"get", "--ledger", dir.toString(),
                            "ftp://u:p@127.0.0.1:1/x.bin", dataDir.resolve("x.bin").toString()},
                    new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, said);
            assertTrue(said.contains("is in use by another Ferry process") && said.contains("wait for that command")
                    && said.contains("--ledger DIR"), said);

            child.getOutputStream().write('\n');
            child.getOutputStream().flush();
            awaitLine(lines, LedgerCrashChild.COMMITTED);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child outlived SIGKILL");
        } finally {
            child.destroyForcibly();
        }

        ledger = open(dir);
        assertEquals(LedgerCrashChild.OFFSET, ledger.segments("crash").get(1).offset());
        assertEquals(List.of("crash"), ids(ledger.unfinished()));
    }

    /** The child's output, line by line, read on a thread of its own so the child never blocks on a full pipe. */
    private static BlockingQueue<String> lines(Process child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
            } catch (Exception e) {
                // The child was killed: its output ends here.
            }
        }, "crash-child-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static void awaitLine(BlockingQueue<String> lines, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (expected.equals(line)) {
                return;
            }
            if (line != null) {
                seen.append(line).append('\n');
            }
        }
        fail("the child did not say '" + expected + "' within 60 s; it said:\n" + seen);
    }

    /**
     * A thread interrupted while it writes to the ledger (a stopping tree, a cancelled transfer, a pool shut down
     * with {@code shutdownNow}) must not close the database under everyone else: on a plain file channel the
     * interrupt closes H2's file, and every session then fails with "The database has been closed". Each round
     * interrupts a writer at a different moment of its commits; after each, another thread's write must work and
     * every offset the writer was told was committed must be there.
     */
    @Test
    void anInterruptedWriterLeavesTheLedgerOpenForEveryoneElse() throws Exception {
        long end = 1L << 40;
        ledger.accept(transfer("w"));
        ledger.start("w", end, 1L, List.of(seg(0, 0, end)));
        ledger.accept(transfer("other"));
        ledger.start("other", end, 1L, List.of(seg(0, 0, end)));
        AtomicLong committed = new AtomicLong();
        int interruptedMidWrite = 0;
        for (int round = 0; round < 60; round++) {
            CountDownLatch writing = new CountDownLatch(1);
            AtomicReference<Throwable> writerFailed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 100_000 && !Thread.currentThread().isInterrupted(); i++) {
                        long offset = committed.get() + 1;
                        ledger.checkpoint("w", 0, offset);
                        committed.set(offset);
                        writing.countDown();
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "ledger-writer-" + round);
            writer.start();
            assertTrue(writing.await(30, TimeUnit.SECONDS), "the writer never committed");
            TimeUnit.MICROSECONDS.sleep(round * 37L % 500);
            writer.interrupt();
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(writer.isAlive(), "the interrupted writer did not stop");
            if (writerFailed.get() != null) {
                interruptedMidWrite++; // its statement may fail; the database must not
            }
            ledger.checkpoint("other", 0, round + 1);
            assertEquals(round + 1, ledger.segments("other").get(0).offset(), "round " + round);
            long seen = ledger.segments("w").get(0).offset();
            assertTrue(seen >= committed.get(), "round " + round + ": committed offset " + committed.get()
                    + " lost, the ledger has " + seen);
        }
        ledger.close();
        ledger = open(dataDir.resolve("data"));
        assertTrue(ledger.segments("w").get(0).offset() >= committed.get(), "a committed offset was lost on reopening");
        assertEquals(60, ledger.segments("other").get(0).offset());
        System.out.println("interrupted writers whose statement failed: " + interruptedMidWrite + " of 60");
    }

    @Test
    void aCallersDataSourceStaysOpenAfterClose() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dataDir.resolve("own").toAbsolutePath());
        ds.setUser("sa");
        try (Connection keepOpen = ds.getConnection()) {
            try (JdbcLedger own = JdbcLedger.open(ds)) {
                own.accept(transfer("t1"));
            }
            try (JdbcLedger again = JdbcLedger.open(ds)) {
                assertTrue(again.find("t1").isPresent());
            }
            assertTrue(keepOpen.isValid(1));
        }
    }

    @Test
    void aFailedOpenNeverShowsThePassword() {
        String secret = "s3cr3t-Pa55";
        LedgerException e = assertThrows(LedgerException.class, () -> JdbcLedger.open(
                "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2&password=" + secret, "ferry", secret));
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(secret), t::toString);
        }
        assertTrue(e.getMessage().contains("password=***"), e.getMessage());
    }

    /**
     * A hostile review: the ledger's disk filled, H2 closed its database on the failed write, and the service's pool
     * kept handing out its dead connections for ever ("The database has been closed"): every later drop failed, also
     * after the space was freed, until a restart. The pool lets such a connection go, and the next one opens the
     * database again. (H2 closes itself alike on SHUTDOWN, which stands in for the full disk here.)
     */
    @Test
    void aLedgerWhoseDatabaseClosedItselfOpensItAgain() throws Exception {
        ledger.accept(JdbcLedgerContract.transfer("t-closed"));
        Connection c = ledger.dataSource().getConnection();
        try {
            c.createStatement().execute("SHUTDOWN");
        } finally {
            try {
                c.close(); // back to the pool, which may keep it: that is what is tested
            } catch (java.sql.SQLException closedAlready) {
                // the database went with it
            }
        }
        java.util.Optional<TransferRecord> found = java.util.Optional.empty();
        for (int i = 0; i < 20 && found.isEmpty(); i++) {
            try {
                found = ledger.find("t-closed");
            } catch (LedgerException e) {
                // A connection handed out before the pool learnt the database closed: the next one is a new one.
            }
        }
        assertTrue(found.isPresent(), "the ledger did not open its database again");
        ledger.accept(JdbcLedgerContract.transfer("t-after"));
        assertTrue(ledger.find("t-after").isPresent(), "a write after it");
    }
}
