package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.HostileFtpsServer;
import dev.ferry.testing.ServerCertificate;
import dev.ferry.transfer.TransferFailedException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of FTPS: the control connection's certificate had to be made out to the host connected to
 * (TlsHostNameTest), but a data connection's did not — only its chain was checked. Whoever could answer the passive
 * port with any certificate the trust store vouches for (another server's of the same private CA; with the JVM's
 * trust, one bought for any domain) served the file's bytes. A data connection's certificate is now held to the same
 * name as the control connection's, and one made out to another is refused for good, saying so.
 */
class TlsDataConnectionHostNameTest {
    @TempDir
    Path tmp;

    @Test
    void aDataConnectionWithATrustedCertificateForAnotherHostIsRefused() throws Exception {
        ServerCertificate own = ServerCertificate.create(tmp.resolve("own"), "127.0.0.1", "ip:127.0.0.1");
        ServerCertificate other = ServerCertificate.create(tmp.resolve("other"), "other.example", "dns:other.example");
        Path trust = trustingBoth(own, other);
        byte[] file = new byte[100_000];
        new java.util.Random(3).nextBytes(file);
        try (HostileFtpsServer server = HostileFtpsServer.start(own, other, file, HostileFtpsServer.Data.WELL)) {
            ServerProfile profile = server.profile("datacert", "pw", trust, Duration.ofSeconds(5)).build();
            Path target = tmp.resolve("a.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> HostileFtpsServer.download(
                    tmp, profile, target, TransferOptions.none().withSegments(1).withMaxAttempts(3)));
            assertTrue(e.getMessage().contains("not trusted for that name"), e.getMessage());
            assertTrue(e.getMessage().contains("data connection"), e.getMessage());
            assertEquals(1, server.retrs(), "refused for good: a retry meets the same certificate");
            assertFalse(Files.exists(target), "a file came over a data connection with another host's certificate");
        }
    }

    private Path trustingBoth(ServerCertificate a, ServerCertificate b) throws Exception {
        KeyStore both = KeyStore.getInstance("PKCS12");
        both.load(null, null);
        int n = 0;
        for (ServerCertificate c : new ServerCertificate[] {a, b}) {
            KeyStore one = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(c.trustStore())) {
                one.load(in, ServerCertificate.PASSWORD.toCharArray());
            }
            both.setCertificateEntry("c" + n++, one.getCertificate(one.aliases().nextElement()));
        }
        Path file = tmp.resolve("both.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            both.store(out, ServerCertificate.PASSWORD.toCharArray());
        }
        return file;
    }
}
