package dev.ferry.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.TlsMode;
import dev.ferry.interop.InteropServer.Kind;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.ExternalFtpServer;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.testing.SelfSignedCertificate;
import dev.ferry.transfer.TransferFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
