package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener contract on real transfers (issue 14, item 8): every transferStart gets exactly one transferEnd,
 * transferFailed or transferCancelled -- also when the source changes and the transfer starts over -- and every
 * segmentStart one segmentEnd or segmentFailed, also when a step fails with a RuntimeException.
 */
class EventContractTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    @Test
    void aSourceChangeRestartsTheTransferWithoutASecondTransferStart() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("grows.bin"), 2 * MIB, 31);
            AtomicBoolean grown = new AtomicBoolean();
            h.engine.addListener(new TransferListener() {
                @Override
                public void segmentEnd(TransferView t, int segment, long bytesMoved) {
                    // After the bytes went out, before publishing: a writer appends to the file.
                    if (grown.compareAndSet(false, true)) {
                        try {
                            Files.write(source, new byte[4096], StandardOpenOption.APPEND);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            });
            h.engine.run(h.upload(source, "/grows.bin", TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("grows.bin")));
            assertEquals(1, h.count("start"), h.events.toString());
            assertTrue(h.count("restarted") >= 1, h.events.toString());
            assertEquals(1, h.count("end") + h.count("failed") + h.count("cancelled") + h.count("stopped"),
                    h.events.toString());
            assertEquals("end", h.events.get(h.events.size() - 1), h.events.toString());
            assertSegmentsPaired(h.events);
        }
    }

    @Test
    void aRuntimeFailureInsideASegmentStillEndsItWithSegmentFailed() throws Exception {
        AtomicBoolean failSegmentWrites = new AtomicBoolean(true);
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:" + tmp.resolve("ledger-db") + ";DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        List<String> events = new CopyOnWriteArrayList<>();
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start()) {
            JdbcLedger ledger = JdbcLedger.open(failingSegmentUpdates(h2, failSegmentWrites));
            ServerProfile profile = EngineHarness.profileFor(ftp).build();
            try (TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(200))) {
                engine.addListener(new TransferListener() {
                    @Override public void transferStart(TransferView t) { events.add("start"); }
                    @Override public void segmentStart(TransferView t, int s, long a, long b) { events.add("segmentStart " + s); }
                    @Override public void segmentEnd(TransferView t, int s, long b) { events.add("segmentEnd " + s); }
                    @Override public void segmentFailed(TransferView t, int s, Throwable c) { events.add("segmentFailed " + s); }
                    @Override public void transferEnd(TransferView t) { events.add("end"); }
                    @Override public void transferFailed(TransferView t, String r) { events.add("failed"); }
                    @Override public void transferCancelled(TransferView t) { events.add("cancelled"); }
                    @Override public void transferStopped(TransferView t, String why) { events.add("stopped"); }
                });
                Path source = PseudoRandomContent.write(tmp.resolve("ledger-breaks.bin"), 3 * MIB, 32);
                TransferRequest request = new TransferRequest(Direction.UPLOAD, profile.name(), "/ledger-breaks.bin",
                        source.toString(), TransferOptions.none());
                assertThrows(TransferFailedException.class, () -> engine.run(request));
            } finally {
                ledger.close();
            }
        }
        assertTrue(events.stream().anyMatch(e -> e.startsWith("segmentFailed")), events.toString());
        assertEquals(1, events.stream().filter(e -> e.equals("start")).count(), events.toString());
        assertEquals(1, events.stream().filter(e -> e.equals("end") || e.equals("failed") || e.equals("cancelled")
                        || e.equals("stopped"))
                .count(), events.toString());
        assertSegmentsPaired(events);
    }

    /** Every segmentStart n is followed by one segmentEnd n or segmentFailed n before the next start of n. */
    private static void assertSegmentsPaired(List<String> events) {
        java.util.Map<String, Integer> open = new java.util.HashMap<>();
        for (String e : events) {
            String[] parts = e.split(" ");
            if (parts[0].equals("segmentStart")) {
                assertEquals(0, open.merge(parts[1], 1, Integer::sum) - 1, "segment " + parts[1] + " started twice: "
                        + events);
            } else if (parts[0].equals("segmentEnd") || parts[0].equals("segmentFailed")) {
                assertEquals(1, open.getOrDefault(parts[1], 0), "segment " + parts[1] + " ended unstarted: " + events);
                open.put(parts[1], 0);
            }
        }
        open.forEach((segment, n) -> assertEquals(0, n, "segment " + segment + " never ended: " + events));
    }

    /** The ledger's segment writes fail as a broken database would: a RuntimeException from inside a segment. */
    private static DataSource failingSegmentUpdates(DataSource real, AtomicBoolean fail) {
        return (DataSource) Proxy.newProxyInstance(EventContractTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (result instanceof Connection c) {
                        return failing(c, fail);
                    }
                    return result;
                });
    }

    private static Connection failing(Connection real, AtomicBoolean fail) {
        return (Connection) Proxy.newProxyInstance(EventContractTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql
                            && sql.startsWith("UPDATE ferry_segment") && fail.get()) {
                        throw new SQLException("disk I/O error (injected)");
                    }
                    return invoke(method, real, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
