package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.DeadPassivePort;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of the server side: a server whose passive-mode reply names a port where nothing listens had its
 * downloads fail with "connection to user@host:21 failed: Connection refused", which sent the person to look at the
 * control connection that worked. The failure now names the data connection and the port the server gave.
 */
class DeadPassivePortTest {
    @TempDir
    Path tmp;

    @Test
    void aRefusedDataConnectionIsNamedWithThePortTheServerGave() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            dead = s.getLocalPort(); // closed again: nothing listens there
        }
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("pasv", new DeadPassivePort(dead)).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            PseudoRandomContent.write(ftp.file("a.bin"), 10_000, 9);
            Path target = tmp.resolve("a.bin");

            TransferFailedException e = assertThrows(TransferFailedException.class, () -> h.engine.run(
                    h.download("/a.bin", target, TransferOptions.none().withMaxAttempts(2))));

            assertTrue(e.getMessage().contains("data connection to") && e.getMessage().contains(":" + dead),
                    e.getMessage());
            assertFalse(Files.exists(target));
        }
    }
}
