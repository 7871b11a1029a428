package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of the server side: a server that sends a download a few bytes at a time, each within the data
 * timeout, held it for ever (no read ever timed out, and every retry moved a few bytes, so the attempts never ran
 * out). A data connection that brings less than a KiB per data timeout of waiting is now a stall, which is not
 * progress: the download fails after its attempts, saying so.
 */
class TricklingServerTest {
    @TempDir
    Path tmp;

    @Test
    void aDownloadFromAServerThatOnlyTricklesFailsInsteadOfRunningForEver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port())) {
            for (int i = 0; i < 16; i++) {
                proxy.throttle(i, 100); // 256 bytes every 2.5 s: each read well within the fixture's 5 s timeout
            }
            PseudoRandomContent.write(ftp.file("slow.bin"), 100_000, 7);
            Path target = tmp.resolve("slow.bin");
            try (EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                    EngineHarness.profileFor(ftp).host(proxy.host()).port(proxy.port()).build())) {

                TransferFailedException e = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> assertThrows(
                        TransferFailedException.class, () -> h.engine.run(h.download("/slow.bin", target,
                                TransferOptions.none().withSegments(1).withMaxAttempts(2)))));

                assertTrue(e.getMessage().contains("stalls"), e.getMessage());
                assertTrue(proxy.dataConnections() >= 2, "not tried again: " + proxy.dataConnections());
                assertFalse(Files.exists(target));
            }
        }
    }
}
