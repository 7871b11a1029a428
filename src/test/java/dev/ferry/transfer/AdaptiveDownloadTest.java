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
        // 1 MiB/s per connection, the profile's cap of 8: planned 4, every addition pays, so the transfer grows to 8.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            downloadsIntact(ftp, h, "slow.bin", 16 * MIB, 16, TransferOptions.none().withMinSegmentSize(MIB));
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
            downloadsIntact(ftp, h, "capped.bin", 16 * MIB, 18, TransferOptions.none().withMinSegmentSize(MIB));
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
            downloadsIntact(ftp, h, "fixed.bin", 6 * MIB, 17,
                    TransferOptions.none().withMinSegmentSize(MIB).withSegments(3));
            assertTrue(ftp.maxConcurrentSessions() <= 3, "connections at once: " + ftp.maxConcurrentSessions());
        }
    }

    /** Downloads a file of {@code size} from the server's root and checks the copy's SHA-256 against the source's. */
    private void downloadsIntact(FtpServerFixture ftp, EngineHarness h, String name, long size, int seed,
                                 TransferOptions options) throws Exception {
        Path source = ftp.write(name, size, seed);
        Path target = tmp.resolve(name);
        h.engine.run(h.download("/" + name, target, options));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
    }
}
