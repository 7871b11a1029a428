package dev.ferry.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.interop.InteropServer.Kind;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.ExternalFtpServer;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.testing.SelfSignedCertificate;
import dev.ferry.transfer.TransferFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Explicit FTPS against vsftpd with a self-signed certificate and vsftpd's default {@code require_ssl_reuse=YES}:
 * byte-identical both ways when Ferry trusts the certificate, and a clear refusal, naming the server, when it does
 * not (the JVM's default trust, or another self-signed certificate).
 */
@Tag("interop")
@ExtendWith(InteropResults.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FtpsInteropTest {
    private static final int MIB = 1 << 20;
    private SelfSignedCertificate cert;
    private SelfSignedCertificate otherCert;
    private ExternalFtpServer vsftpd;
    private Path tmp;
    private InteropEngine ferry;

    @BeforeAll
    void start() throws IOException {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.VSFTPD);
        cert = SelfSignedCertificate.create();
        otherCert = SelfSignedCertificate.create();
        vsftpd = ExternalFtpServer.vsftpd(new ExternalFtpServer.Options().tls(cert.certPem(), cert.keyPem())).start();
    }

    @AfterAll
    void stop() {
        if (vsftpd != null) {
            vsftpd.close();
        }
        if (cert != null) {
            cert.close();
        }
        if (otherCert != null) {
            otherCert.close();
        }
    }

    @BeforeEach
    void tempDir() throws IOException {
        tmp = Files.createTempDirectory("ferry-ftps-");
    }

    @AfterEach
    void cleanUp() {
        if (ferry != null) {
            ferry.close();
        }
        Cleanup.deleteTree(tmp);
    }

    private ServerProfile.Builder profile() {
        return ServerProfile.builder("vsftpd-tls").host(vsftpd.host()).port(vsftpd.port()).user(vsftpd.user())
                .password(vsftpd.password()).tls(TlsMode.EXPLICIT).connectionLimit(8);
    }

    private InteropEngine ferry(ServerProfile profile) {
        ferry = new InteropEngine(tmp.resolve("ledger"), profile);
        return ferry;
    }

    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS explicit TLS, self-signed certificate in a PKCS12 trust store (download + upload)",
            order = 110)
    void trustedSelfSignedCertificateBothWays() throws Exception {
        Path source = PseudoRandomContent.write(vsftpd.root().resolve("tls.bin"), 4L * MIB + 3, 110);
        InteropEngine f = ferry(profile().trustStore(cert.truststore())
                .trustStorePassword(Secret.of(cert.truststorePassword())).build());
        Path target = tmp.resolve("tls.bin");
        f.engine.run(f.download("/tls.bin", target, TransferOptions.none().withSegments(4).withMinSegmentSize(MIB)));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        f.engine.run(f.upload(target, "/back/tls.bin", TransferOptions.none().withSegments(4).withMinSegmentSize(MIB)));
        assertEquals(Hashes.sha256(source), Hashes.sha256(vsftpd.root().resolve("back/tls.bin")));
        InteropResults.note("(require_ssl_reuse=YES, 4 segments)");
    }

    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS certificate checked: JVM default trust refuses a self-signed certificate", order = 120)
    void defaultTrustRefusesTheSelfSignedCertificate() throws Exception {
        refused(profile().build());
    }

    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS certificate checked: a trust store with another certificate refuses it", order = 130)
    void otherCertificateRefused() throws Exception {
        refused(profile().trustStore(otherCert.truststore())
                .trustStorePassword(Secret.of(otherCert.truststorePassword())).build());
    }

    /**
     * An FTPS upload whose server stops reading (every vsftpd session frozen, SIGSTOP) is cut after the data timeout
     * and goes on. Closing the TLS stream, as a cancel or the stall check did, first sends TLS's close_notify, which
     * waits for the lock the blocked write holds: the engine's ticker, which renews leases and checks every stall, hung
     * in that close for as long as the server stayed frozen (a plain upload's close did not wait).
     */
    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS upload to a server that stops reading: cut after the data timeout, resumed", order = 140)
    void anFtpsUploadWhoseServerStopsReadingIsCutAndResumes() throws Exception {
        // A server of its own: vsftpd's frozen session keeps its upload's lock after it wakes (for minutes, until its
        // own timeouts), which with lock_upload_files=YES would hold the resumed STOR as long; that is vsftpd's part.
        try (ExternalFtpServer own = ExternalFtpServer.vsftpd(new ExternalFtpServer.Options()
                .tls(cert.certPem(), cert.keyPem()).lockUploadFiles(false)).start()) {
            Path source = PseudoRandomContent.write(tmp.resolve("stall.bin"), 24L * MIB + 5, 140);
            InteropEngine f = ferry(ServerProfile.builder("vsftpd-tls").host(own.host()).port(own.port())
                    .user(own.user()).password(own.password()).tls(TlsMode.EXPLICIT).connectionLimit(8)
                    .trustStore(cert.truststore()).trustStorePassword(Secret.of(cert.truststorePassword()))
                    .dataTimeout(Duration.ofSeconds(2)).build());
            TransferRequest request = f.upload(source, "/stall/stall.bin", TransferOptions.none()
                    .withUploadStrategy(UploadStrategy.SEQUENTIAL).withRateLimit(4L * MIB));
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try {
                    f.engine.run(request);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            Path folder = own.root().resolve("stall");
            Await.until(Duration.ofSeconds(30), () -> largestIn(folder) > 2L * MIB, () -> "the upload never got"
                    + " going: " + f.events);
            int frozen = own.signalSessions("STOP");
            try {
                assertTrue(frozen > 0, "no session to freeze");
                Await.until(Duration.ofSeconds(15), () -> f.events.stream().anyMatch(e -> e.startsWith("retry ")
                        && e.contains("took no byte for 2 s")), () -> "the stalled stream was not cut while the"
                        + " server stayed frozen: " + f.events);
            } finally {
                own.signalSessions("CONT");
            }
            run.get(30, TimeUnit.SECONDS);
            assertEquals(Hashes.sha256(source), Hashes.sha256(folder.resolve("stall.bin")));
            InteropResults.note("(every session SIGSTOPped mid-stream; data timeout 2 s)");
        }
    }

    /**
     * A server that speaks only TLS 1.3 (vsftpd with no TLS 1.2 cipher it can use; session reuse not required, as a
     * TLS 1.3 session can be resumed only with a ticket the JDK takes). Ferry offered TLS 1.2 alone, for the session
     * reuse of vsftpd's default: such a server was unreachable ("Received fatal alert: handshake_failure", tried again
     * as an outage). It now offers 1.3 to a server that refused 1.2, and the files come byte-identical both ways.
     */
    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS with a server that speaks only TLS 1.3 (download + upload, 4 segments)", order = 150)
    void aServerSpeakingOnlyTls13IsReached() throws Exception {
        try (ExternalFtpServer own = ExternalFtpServer.vsftpd(new ExternalFtpServer.Options()
                .tls(cert.certPem(), cert.keyPem()).extra("ssl_ciphers=PSK-AES128-CBC-SHA")
                .extra("require_ssl_reuse=NO")).start()) {
            Path source = PseudoRandomContent.write(own.root().resolve("tls13.bin"), 4L * MIB + 7, 150);
            InteropEngine f = ferry(ServerProfile.builder("vsftpd-tls13").host(own.host()).port(own.port())
                    .user(own.user()).password(own.password()).tls(TlsMode.EXPLICIT).connectionLimit(8)
                    .trustStore(cert.truststore()).trustStorePassword(Secret.of(cert.truststorePassword())).build());
            Path target = tmp.resolve("tls13.bin");
            TransferOptions four = TransferOptions.none().withSegments(4).withMinSegmentSize(MIB).withMaxAttempts(2);
            f.engine.run(f.download("/tls13.bin", target, four));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            f.engine.run(f.upload(target, "/back/tls13.bin", four));
            assertEquals(Hashes.sha256(source), Hashes.sha256(own.root().resolve("back/tls13.bin")));
            InteropResults.note("(no TLS 1.2 cipher on the server, require_ssl_reuse=NO)");
        }
    }

    /**
     * The same server requiring session reuse, vsftpd's default: over TLS 1.3 the JDK cannot resume vsftpd's sessions,
     * and every data connection is refused "522 SSL connection failed: session reuse required". One clear, permanent
     * failure saying what to change on the server, nothing published.
     */
    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS with a TLS 1.3-only server requiring session reuse: refused at once, saying what to change",
            order = 160)
    void aTls13OnlyServerRequiringReuseSaysWhatToChange() throws Exception {
        try (ExternalFtpServer own = ExternalFtpServer.vsftpd(new ExternalFtpServer.Options()
                .tls(cert.certPem(), cert.keyPem()).extra("ssl_ciphers=PSK-AES128-CBC-SHA")).start()) {
            PseudoRandomContent.write(own.root().resolve("tls13.bin"), MIB, 160);
            InteropEngine f = ferry(ServerProfile.builder("vsftpd-tls13").host(own.host()).port(own.port())
                    .user(own.user()).password(own.password()).tls(TlsMode.EXPLICIT).connectionLimit(8)
                    .trustStore(cert.truststore()).trustStorePassword(Secret.of(cert.truststorePassword()))
                    .outageWait(Duration.ofSeconds(30)).build());
            Path target = tmp.resolve("tls13.bin");
            long t0 = System.nanoTime();
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> f.engine.run(
                    f.download("/tls13.bin", target, TransferOptions.none().withMaxAttempts(3))));
            long took = System.nanoTime() - t0;
            assertTrue(e.getMessage().contains("session reuse required")
                    && e.getMessage().contains("enable TLS 1.2 on the server"), e.getMessage());
            assertFalse(e.getMessage().contains(own.password()), e.getMessage());
            assertFalse(Files.exists(target));
            assertTrue(took < TimeUnit.SECONDS.toNanos(10), "failed at once, took " + took / 1_000_000 + " ms");
            InteropResults.note("(\"522 SSL connection failed: session reuse required\" and what to change)");
        }
    }

    /**
     * A control connection older than a day: the JDK's client session cache times a session out after 24 hours (its
     * default), so the session was no longer offered to the data connection, and vsftpd refused each one, "522 SSL
     * connection failed: session reuse required" — permanent — though the connection was fine. A pooled session kept
     * busy (a listing every few seconds, fewer than its 500 transfers) lives that long in a service. Here the control
     * session is aged by a day instead of waited for.
     */
    @Test
    @InteropResults.Server(Kind.VSFTPD)
    @Feature(value = "FTPS control connection older than a day: data connections still resume its session",
            order = 170)
    void aControlSessionOlderThanADayIsStillResumed() throws Exception {
        Path source = PseudoRandomContent.write(vsftpd.root().resolve("old.bin"), 100_000, 170);
        ServerProfile profile = profile().trustStore(cert.truststore())
                .trustStorePassword(Secret.of(cert.truststorePassword())).build();
        try (dev.ferry.ftp.FtpSession session = dev.ferry.ftp.FtpSession.open(profile, null)) {
            ageControlSession(session, Duration.ofHours(25));
            Path target = tmp.resolve("old.bin");
            try (java.io.InputStream in = session.retrieve("/old.bin", 0)) {
                Files.copy(in, target);
                session.endRead(in, true);
            }
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        }
    }

    private static void ageControlSession(dev.ferry.ftp.FtpSession session, Duration by) throws Exception {
        java.lang.reflect.Field client = dev.ferry.ftp.FtpSession.class.getDeclaredField("client");
        client.setAccessible(true);
        java.lang.reflect.Field socket = org.apache.commons.net.SocketClient.class.getDeclaredField("_socket_");
        socket.setAccessible(true);
        javax.net.ssl.SSLSession tls = ((javax.net.ssl.SSLSocket) socket.get(client.get(session))).getSession();
        java.lang.reflect.Field created = tls.getClass().getDeclaredField("creationTime");
        created.setAccessible(true);
        created.setLong(tls, created.getLong(tls) - by.toMillis());
    }

    private static long largestIn(Path folder) {
        try (var files = Files.list(folder)) {
            return files.mapToLong(p -> p.toFile().length()).max().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private void refused(ServerProfile profile) throws Exception {
        PseudoRandomContent.write(vsftpd.root().resolve("secret.bin"), 1000, 120);
        InteropEngine f = ferry(profile);
        Path target = tmp.resolve("secret.bin");
        TransferRequest request = f.download("/secret.bin", target, TransferOptions.none());
        long t0 = System.nanoTime();
        TransferFailedException e = assertThrows(TransferFailedException.class, () -> f.engine.run(request));
        long took = System.nanoTime() - t0;
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        assertTrue(m.contains("certificate") && m.contains("not trusted"), e.getMessage());
        assertTrue(e.getMessage().contains("vsftpd-tls") && e.getMessage().contains(vsftpd.host() + ":" + vsftpd.port()),
                "names the server: " + e.getMessage());
        assertFalse(e.getMessage().contains(vsftpd.password()), "no password in the message");
        assertEquals(TransferStatus.FAILED, f.ledger.find(request.id()).orElseThrow().status());
        assertFalse(Files.exists(target));
        // Trust does not come back by itself: no retries with back-off.
        assertTrue(took < TimeUnit.SECONDS.toNanos(5), "failed at once, took " + took / 1_000_000 + " ms");
        InteropResults.note("(fails at once: \"the TLS certificate of server … is not trusted\")");
    }
}
