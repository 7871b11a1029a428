package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.HostileFtpsServer;
import dev.ferry.testing.ServerCertificate;
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
            ServerProfile profile = server.profile("after-login", "pw", cert.trustStore(), Duration.ofSeconds(5))
                    .build();
            Path target = tmp.resolve("a.bin");
            HostileFtpsServer.download(tmp, profile, target, TransferOptions.none().withSegments(1).withMaxAttempts(2));
            assertArrayEquals(file, Files.readAllBytes(target));
            List<String> c = server.commands();
            assertTrue(c.lastIndexOf("PROT P") > c.indexOf("PASS ****") && c.lastIndexOf("PROT P") < c.indexOf("EPSV"),
                    "PROT P after the login, before the data connection: " + c);
        }
    }
}
