package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
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

    /**
     * vsftpd with few passive ports takes every login but ends the session of a data connection it has no port for,
     * "500 OOPS: priv_sock_get_int". An added connection is the controller's bet, not the transfer's: the server's
     * refusal of it ends that connection, its segment goes to the others, and the transfer finishes intact, with no
     * segment reported as failed.
     */
    @Test
    void anAddedConnectionTheServerWillNotServeEndsAloneAndTheTransferFinishes() throws Exception {
        DataPorts ports = new DataPorts(4);
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).ftplet("ports", ports).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            downloadsIntact(ftp, h, "few-ports.bin", 12 * MIB, 19, TransferOptions.none().withMinSegmentSize(MIB));
            assertTrue(ports.refused.get() >= 1, "the probe never met the server's last data port");
            assertEquals(0, h.count("failed"), h.events.toString());
            // Given back, not failed: the status page's last error and the log's warnings stay for real failures.
            assertTrue(h.count("segmentGivenBack") >= 1, "a refused connection's segment run ends given back: "
                    + h.events);
            assertEquals(0, h.count("segmentFailed"), h.events.toString());
        }
    }

    /** A transfer already at the request's rate limit asks for no more connections: they could not raise it. */
    @Test
    void aTransferAtItsRateLimitAddsNoConnection() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            downloadsIntact(ftp, h, "limited.bin", 6 * MIB, 23,
                    TransferOptions.none().withMinSegmentSize(MIB).withRateLimit(2 * MIB));
            assertEquals("start 4", h.events.get(0));
            assertTrue(ftp.maxConcurrentSessions() <= 4, "connections at once: " + ftp.maxConcurrentSessions());
        }
    }

    /** At most {@code ports} RETRs at once; one more ends its session with vsftpd's reply. */
    private static final class DataPorts extends DefaultFtplet {
        private final int ports;
        final AtomicInteger busy = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        DataPorts(int ports) {
            this.ports = ports;
        }

        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
            if ("RETR".equalsIgnoreCase(request.getCommand())) {
                if (busy.incrementAndGet() > ports) {
                    busy.decrementAndGet();
                    refused.incrementAndGet();
                    session.write(new DefaultFtpReply(500, "OOPS: priv_sock_get_int"));
                    return FtpletResult.DISCONNECT;
                }
            }
            return FtpletResult.DEFAULT;
        }

        @Override
        public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply) {
            if ("RETR".equalsIgnoreCase(request.getCommand())) {
                busy.decrementAndGet();
            }
            return FtpletResult.DEFAULT;
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
