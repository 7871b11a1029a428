package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.ferry.testing.Hashes;
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
 * A hostile review of the server side: FTPS checked that the server's certificate chained to a trusted one, but not
 * that it was made out to the server's name, so any certificate the trust store (or the JVM's public CAs) vouches for
 * -- another server's of the same private CA, one bought for any domain -- let a man in the middle serve any bytes
 * and any hash. The name (or address) Ferry connects to must now be the certificate's.
 */
class TlsHostNameTest {
    @TempDir
    Path tmp;

    @Test
    void aTrustedCertificateMadeOutToAnotherHostIsRefused() throws Exception {
        ServerCertificate other = ServerCertificate.create(tmp.resolve("cert"), "other.example", "dns:other.example");
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(other).start()) {
            PseudoRandomContent.write(ftp.file("a.bin"), 100_000, 5);
            Path target = tmp.resolve("a.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> download(ftp, other, target));
            assertFalse(Files.exists(target), "a file came from a server with another host's certificate");
            assertTrue(e.getMessage().contains("not trusted for that name"), e.getMessage());
        }
    }

    /** The same server with a certificate for the address it is reached at: the file comes. */
    @Test
    void aCertificateForTheAddressConnectedToIsAccepted() throws Exception {
        ServerCertificate own = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(own).start()) {
            Path remote = PseudoRandomContent.write(ftp.file("a.bin"), 100_000, 6);
            Path target = tmp.resolve("a.bin");
            download(ftp, own, target);
            assertEquals(Hashes.sha256(remote), Hashes.sha256(target));
        }
    }

    private void download(FtpServerFixture ftp, ServerCertificate cert, Path target) throws Exception {
        ServerProfile tls = ftp.profile(2).tls(TlsMode.EXPLICIT).trustStore(cert.trustStore())
                .trustStorePassword(Secret.of(ServerCertificate.PASSWORD)).build();
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
             TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(tls), TransferOptions.none(),
                     Duration.ofMillis(200))) {
            engine.run(new TransferRequest(Direction.DOWNLOAD, tls.name(), "/a.bin", target.toString(),
                    TransferOptions.none().withMaxAttempts(1)));
        }
    }
}
