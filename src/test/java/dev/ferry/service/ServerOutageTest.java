package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ExternalFtpServer;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * vsftpd stops in the middle of an upload drop (every session killed, new connections refused) and comes back on the
 * same port: the service, on its default outage wait, waits for it instead of failing the drop, and the file arrives
 * identical. Before the outage wait, such a drop failed after about 17 s of retries.
 *
 * <p>Why the outage is 25 s: longer than those 17 s with room to spare, so the drop would have failed during it, and
 * short enough that the try 31 s into the outage (1 s doubling: 1 + 2 + 4 + 8 + 16) finds the server back; 32 s or
 * more would be found only by the try after that, 30 s later.
 */
@Tag("interop")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServerOutageTest {
    private static final long SIZE = (6L << 20) + 321;
    private static final Duration OUTAGE = Duration.ofSeconds(25);

    @TempDir
    Path tmp;

    @Test
    void aDropWaitsForTheServerToComeBackAndCompletes() throws Exception {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.VSFTPD);
        // 512 KiB/s per connection: the outage comes at 1 MiB on the server, with most of the 6 MiB still to send.
        try (ExternalFtpServer vsftpd = ExternalFtpServer.vsftpd(new ExternalFtpServer.Options()
                .ratePerConnection(512 * 1024).lockUploadFiles(false)).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), vsftpd.host(), vsftpd.port(),
                    vsftpd.user(), vsftpd.password());
            Path source = PseudoRandomContent.write(tmp.resolve("outage.bin"), SIZE, 81);
            String sha = Hashes.sha256(source);
            Path incoming = vsftpd.root().resolve("incoming");
            try (FerryService service = harness.start()) {
                ServiceHarness.dropInto(harness.uploadInbox(), source);
                Await.until(Duration.ofSeconds(60), () -> bytesIn(incoming) >= (1 << 20),
                        () -> "no upload under way: " + ServiceHarness.list(incoming));
                vsftpd.stop();
                Path failed = harness.uploadInbox().resolve(".failed");
                Path done = harness.uploadInbox().resolve(".done/outage.bin");
                // The outage itself: for all of it the drop is waiting, never given up.
                long until = System.nanoTime() + OUTAGE.toNanos();
                while (System.nanoTime() < until) {
                    assertFalse(Files.exists(failed), "failed during the outage: " + ServiceHarness.list(failed));
                    assertFalse(Files.exists(done), "done while the server was down?");
                    Thread.sleep(500);
                }
                vsftpd.restart();
                Await.until(Duration.ofSeconds(120), () -> Files.exists(done) || Files.exists(failed),
                        () -> "not finished after the server came back: " + ServiceHarness.list(harness.uploadInbox()));
                assertFalse(Files.exists(failed), () -> "failed: " + ServiceHarness.list(failed));
                assertTrue(Files.exists(done));
                assertEquals(sha, Hashes.sha256(incoming.resolve("outage.bin")));
            }
        }
    }

    private static long bytesIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
