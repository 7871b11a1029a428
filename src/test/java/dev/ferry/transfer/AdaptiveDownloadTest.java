package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connections that adapt, against a real server that limits each connection (#16.3). */
class AdaptiveDownloadTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void aServerThatLimitsEachConnectionGetsMoreConnectionsThanPlanned() throws Exception {
        // 1 MiB/s per connection, a cap of 8: planned 4, each addition doubles the rate, so the transfer grows to 8.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("slow.bin", 16 * MIB, 16);
            Path target = tmp.resolve("slow.bin");
            h.engine.run(h.download("/slow.bin", target, TransferOptions.none().withMinSegmentSize(MIB)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertEquals("start 4", h.events.get(0));
            assertTrue(ftp.maxConcurrentSessions() > 4, "connections at once: " + ftp.maxConcurrentSessions());
            assertTrue(ftp.maxConcurrentSessions() <= 8, "past the cap: " + ftp.maxConcurrentSessions());
        }
    }

    @Test
    void aProbeThatMeetsTheServersCapStopsThereWithoutAFailure() throws Exception {
        // The server takes 6 connections from us: the probe past the planned 4 asks for up to 12 more, gets 2, and
        // the rest are turned away (421) or find the pool's lowered cap taken, none of it seen as a failure.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).maxLoginsPerIp(6).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("capped.bin", 16 * MIB, 18);
            Path target = tmp.resolve("capped.bin");
            h.engine.run(h.download("/capped.bin", target, TransferOptions.none().withMinSegmentSize(MIB)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertEquals("start 4", h.events.get(0));
            assertTrue(ftp.refusedConnections() >= 1, "the probe never met the server's cap");
            assertEquals(6, ftp.maxConcurrentSessions(), "connections at once");
            assertEquals(0, h.count("segmentFailed") + h.count("retry") + h.count("failed"), h.events.toString());
        }
    }

    @Test
    void fixedSegmentsStayFixed() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("fixed.bin", 6 * MIB, 17);
            Path target = tmp.resolve("fixed.bin");
            h.engine.run(h.download("/fixed.bin", target,
                    TransferOptions.none().withMinSegmentSize(MIB).withSegments(3)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(ftp.maxConcurrentSessions() <= 3, "connections at once: " + ftp.maxConcurrentSessions());
        }
    }
}
