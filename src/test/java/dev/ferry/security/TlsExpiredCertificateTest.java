package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.testing.ServerCertificate;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of FTPS: a server whose self-signed certificate had expired years ago was accepted without a word
 * once that certificate was in the trust store (the JDK checks no dates of a trust anchor, and a pinned self-signed
 * certificate is its own anchor); the file came, the command said done. An expired certificate is refused, saying it
 * expired and that the server's certificate must be renewed.
 */
class TlsExpiredCertificateTest {
    @TempDir
    Path tmp;

    @Test
    void anExpiredCertificateInTheTrustStoreIsRefused() throws Exception {
        ServerCertificate expired = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1",
                "2020/01/01", 10);
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(expired).start()) {
            PseudoRandomContent.write(ftp.file("a.bin"), 100_000, 9);
            ServerProfile tls = ftp.profile(2).tls(TlsMode.EXPLICIT).trustStore(expired.trustStore())
                    .trustStorePassword(Secret.of(ServerCertificate.PASSWORD)).build();
            Path target = tmp.resolve("a.bin");
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(tls),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TransferFailedException e = assertThrows(TransferFailedException.class, () -> engine.run(
                        new TransferRequest(Direction.DOWNLOAD, tls.name(), "/a.bin", target.toString(),
                                TransferOptions.none().withMaxAttempts(1))));
                assertTrue(e.getMessage().contains("expired") && e.getMessage().contains("renew"), e.getMessage());
                assertTrue(e.getMessage().contains(tls.toString()), e.getMessage());
            }
            assertFalse(Files.exists(target), "a file came from a server with an expired certificate");
        }
    }
}
