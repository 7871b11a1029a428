package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.FileExist;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a second request whose localPath was a running download's part file
 * ({@code .victim.bin.ferry-<id>.part}, overwrite on) published another remote file onto it; the running download
 * then verified that file by size and published it as its own. No transfer publishes under a part file's name, in
 * either direction.
 */
class PartFileNameTargetTest {
    @TempDir
    Path tmp;

    @Test
    void aRequestForAnotherTransfersPartFileIsRefusedAndThatTransferPublishesItsOwnFile() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path victimSource = ftp.write("s1.bin", 3_000_000, 1);
            ftp.write("evil.bin", 3_000_000, 2);
            Path down = Files.createDirectories(tmp.resolve("downloads"));
            CompletableFuture<TransferResult> victim = h.runAsync(h.download("/s1.bin", down.resolve("victim.bin"),
                    EngineHarness.slow(1_000_000)));
            Await.until(Duration.ofSeconds(20), () -> partFile(down) != null, () -> "no part file in " + down);
            Path part = partFile(down);

            TransferOptions overwrite = new TransferOptions(4, null, null, null, null, null, null, null, null,
                    FileExist.OVERRIDE);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> h.engine.run(h.download("/evil.bin", part, overwrite)));
            assertTrue(refused.getMessage().contains(part.getFileName().toString())
                    && refused.getMessage().contains("part file"), refused.getMessage());

            victim.get();
            assertEquals(Hashes.sha256(victimSource), Hashes.sha256(down.resolve("victim.bin")));
            // and an upload onto a server's part-file name
            Path source = Files.write(tmp.resolve("x.bin"), new byte[1000]);
            assertThrows(IllegalArgumentException.class, () -> h.engine.run(
                    h.upload(source, "/.s1.bin.ferry-0123abcd.part", TransferOptions.none())));
            assertTrue(Files.notExists(ftp.file(".s1.bin.ferry-0123abcd.part")));
        }
    }

    /** A local name too long for any file system was found only after the whole file came down, its part left. */
    @Test
    void aLocalNameLongerThanAFileSystemTakesIsRefusedBeforeAnythingMoves() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("d1.bin", 100_000, 3);
            Path down = Files.createDirectories(tmp.resolve("downloads"));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> h.engine.run(
                    h.download("/d1.bin", down.resolve("y".repeat(300)), TransferOptions.none())));
            assertTrue(refused.getMessage().contains("300 bytes long"), refused.getMessage());
            assertEquals(0, ftp.bytesSent(), "bytes were sent for a file that could never be published");
            try (Stream<Path> all = Files.list(down)) {
                assertEquals(0, all.count());
            }
        }
    }

    private static Path partFile(Path dir) {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".part")).findFirst().orElse(null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
