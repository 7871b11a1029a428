package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An FTPS profile never gets a plain session from the pool, even when a plain profile for the same account on the
 * same engine has left one idle (the pool used to key sessions by user@host:port only).
 */
class TlsNeverFallsBackToPlainTest {
    @TempDir
    Path tmp;

    @Test
    void anFtpsProfileDoesNotReuseAPlainSessionOfTheSameAccount() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) { // no TLS on this server
            ftp.write("a.bin", 1000, 1);
            ServerProfile plain = ServerProfile.builder("plain").host(ftp.host()).port(ftp.port()).user(ftp.user())
                    .password(ftp.password()).build();
            ServerProfile tls = plain.toBuilder().tls(TlsMode.EXPLICIT).build();
            ServerProfile tlsNamed = ServerProfile.builder("tls").host(ftp.host()).port(ftp.port()).user(ftp.user())
                    .password(ftp.password()).tls(TlsMode.EXPLICIT).build();
            assertNotEquals(plain.key(), tls.key());
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(plain).add(tlsNamed),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                engine.run(new TransferRequest(Direction.DOWNLOAD, "plain", "/a.bin", tmp.resolve("a.bin").toString(),
                        TransferOptions.none()));
                Path target = tmp.resolve("b.bin");
                assertThrows(TransferFailedException.class, () -> engine.run(new TransferRequest(Direction.DOWNLOAD,
                        "tls", "/a.bin", target.toString(), TransferOptions.none().withMaxAttempts(1))));
                assertFalse(Files.exists(target), "nothing moved without TLS");
            }
        }
    }
}
