package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.HostileFtpsServer;
import dev.ferry.testing.ServerCertificate;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of FTPS: Ferry sends PBSZ and PROT P before USER/PASS, where curl, lftp and FileZilla send them
 * after; servers that take them only after the login (pyftpdlib and libunftp did for years, drftpd does) answered 530,
 * and Ferry failed for good, "PBSZ/PROT P on …: server replied 530". PBSZ/PROT refused before the login as "not logged
 * in" (530) or "bad sequence" (503) are sent again after it, still before any data connection.
 */
class ProtAfterLoginTest {
    @TempDir
    Path tmp;

    @Test
    void aServerTakingProtOnlyAfterTheLoginGetsItThen() throws Exception {
        ServerCertificate cert = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        byte[] file = new byte[200_000];
        new java.util.Random(5).nextBytes(file);
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, file, HostileFtpsServer.Data.WELL)
                .protAfterLoginOnly()) {
            ServerProfile profile = ServerProfile.builder("after-login").host(server.host()).port(server.port())
                    .user("ferry").password("pw").tls(TlsMode.EXPLICIT).trustStore(cert.trustStore())
                    .trustStorePassword(Secret.of(ServerCertificate.PASSWORD)).connectionLimit(2)
                    .connectTimeout(Duration.ofSeconds(5)).soTimeout(Duration.ofSeconds(5))
                    .dataTimeout(Duration.ofSeconds(5)).build();
            Path target = tmp.resolve("a.bin");
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                engine.run(new TransferRequest(Direction.DOWNLOAD, profile.name(), "/a.bin", target.toString(),
                        TransferOptions.none().withSegments(1).withMaxAttempts(2)));
            }
            assertArrayEquals(file, Files.readAllBytes(target));
            List<String> c = server.commands();
            assertTrue(c.lastIndexOf("PROT P") > c.indexOf("PASS ****") && c.lastIndexOf("PROT P") < c.indexOf("EPSV"),
                    "PROT P after the login, before the data connection: " + c);
        }
    }
}
