package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.HostileFtpsServer;
import dev.ferry.testing.HostileFtpsServer.Data;
import dev.ferry.testing.ServerCertificate;
import dev.ferry.transfer.TransferFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile TLS review's attacks that Ferry withstood, kept so it goes on withstanding them: a protected data
 * connection cut short (a TCP FIN without close_notify, a RST, or close_notify early) and then a 226 publishes nothing; a data
 * connection or an AUTH TLS whose handshake never answers ends within its timeouts, and one that streams on without
 * end past the file is cut; PROT P refused never becomes plain
 * FTP; a renegotiation mid-file brings the file byte-identical.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FtpsHostileServerTest {
    private static final byte[] FILE = new byte[300_000];
    private static final String PASSWORD = "Sekr1t-hostile";

    @TempDir
    Path tmp;
    private ServerCertificate cert;

    @BeforeAll
    void certificate(@TempDir Path dir) throws Exception {
        new java.util.Random(11).nextBytes(FILE);
        cert = ServerCertificate.create(dir, "127.0.0.1", "ip:127.0.0.1");
    }

    @Test
    void aDataConnectionCutWithoutCloseNotifyPublishesNothing() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.FIN_HALFWAY)) {
            String m = refused(server);
            assertTrue(m.contains("ended /a.bin at byte 150000"), m);
        }
    }

    @Test
    void aDataConnectionResetMidFilePublishesNothing() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.RST_HALFWAY)) {
            refused(server);
        }
    }

    @Test
    void anEarlyCloseNotifyThen226PublishesNothing() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.CLOSE_NOTIFY_HALFWAY)) {
            String m = refused(server);
            assertTrue(m.contains("ended /a.bin at byte 150000"), m);
        }
    }

    @Test
    void aDataHandshakeThatNeverAnswersEndsWithinTheDataTimeout() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.STALL_HANDSHAKE)) {
            long t0 = System.nanoTime();
            refused(server);
            long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(took < 20, "2 attempts of a 2 s data timeout took " + took + " s");
        }
    }

    @Test
    void anAuthHandshakeThatNeverAnswersEndsWithinTheTimeouts() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.WELL).stallAuth()) {
            long t0 = System.nanoTime();
            String m = refused(server);
            long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(took < 30, "a 2 s read timeout and a 3 s outage wait took " + took + " s");
            assertTrue(m.contains("did not answer the TLS handshake"), m);
            assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("USER")), server.commands().toString());
        }
    }

    @Test
    void protPRefusedIsNeverPlainFtp() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.WELL)
                .protReply("536 PROT P not offered")) {
            String m = refused(server);
            assertTrue(m.contains("PROT P") && m.contains("536"), m);
            assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("USER") || c.startsWith("RETR")),
                    server.commands().toString());
        }
    }

    /** TLS's close waits for nothing the server sends: one that streams on past the file and ignores close_notify. */
    @Test
    void aServerSendingPastTheFileWithoutEndIsCutAndPublishesNothing() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.ENDLESS)) {
            long t0 = System.nanoTime();
            String m = refused(server);
            assertTrue(m.contains("sent more of /a.bin than its 300000 bytes"), m);
            long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(took < 20, "took " + took + " s");
        }
    }

    @Test
    void aRenegotiationMidFileBringsTheFileWhole() throws Exception {
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, FILE, Data.RENEGOTIATE_HALFWAY)) {
            Path target = tmp.resolve("a.bin");
            run(server, target);
            assertArrayEquals(FILE, Files.readAllBytes(target));
        }
    }

    private String refused(HostileFtpsServer server) throws Exception {
        Path target = tmp.resolve("a.bin");
        TransferFailedException e = assertThrows(TransferFailedException.class, () -> run(server, target));
        assertFalse(Files.exists(target), "published: " + e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
        return e.getMessage();
    }

    private void run(HostileFtpsServer server, Path target) throws Exception {
        ServerProfile profile = server.profile("hostile", PASSWORD, cert.trustStore(), Duration.ofSeconds(2))
                .outageWait(Duration.ofSeconds(3)).build();
        HostileFtpsServer.download(tmp, profile, target, TransferOptions.none().withSegments(1).withMaxAttempts(2));
    }
}
