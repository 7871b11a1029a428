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
 * A hostile review of the server side: a trust store given with a wrong password was tried again and again like a
 * network failure and then reported as "keystore password was incorrect", naming neither the file nor the setting.
 */
class TrustStorePasswordTest {
    @TempDir
    Path tmp;

    @Test
    void aWrongTrustStorePasswordNamesTheStoreAndIsNotTriedAgain() throws Exception {
        ServerCertificate cert = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(cert).start()) {
            PseudoRandomContent.write(ftp.file("a.bin"), 10_000, 8);
            ServerProfile tls = ftp.profile(2).tls(TlsMode.EXPLICIT).trustStore(cert.trustStore())
                    .trustStorePassword(Secret.of("not-the-password")).build();
            Path target = tmp.resolve("a.bin");
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(tls),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TransferFailedException e = assertThrows(TransferFailedException.class, () -> engine.run(
                        new TransferRequest(Direction.DOWNLOAD, tls.name(), "/a.bin", target.toString(),
                                TransferOptions.none())));
                assertTrue(e.getMessage().contains(cert.trustStore().toString())
                        && e.getMessage().contains("trust-store-password"), e.getMessage());
                assertFalse(e.getMessage().contains("attempts in a row"), "tried again: " + e.getMessage());
                assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
                assertFalse(Files.exists(target));
            }
        }
    }
}
