package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a large source rewritten in place while it uploads, its modification time then put back
 * ({@code rsync --inplace -t}, {@code touch -r}), to a server without a hash command: the check before the rename saw
 * the same size, time and inode, and a mix of old and new bytes was published, "verified by size". The change time,
 * which no user can set back, moved: the upload starts over and the server gets the file as it is.
 */
class InPlaceRewriteTest {
    @TempDir
    Path tmp;

    @Test
    void aSourceRewrittenInPlaceWithItsTimePutBackStartsOver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("u2.bin"), 3_000_000, 5);
            FileTime mtime = Files.getLastModifiedTime(source);
            CompletableFuture<TransferResult> upload = h.runAsync(h.upload(source, "/u2.bin",
                    EngineHarness.slow(1_000_000)));
            Await.until(Duration.ofSeconds(20), () -> ftp.bytesReceived() > 1_000_000,
                    () -> "the upload did not get going: " + ftp.bytesReceived());
            try (FileChannel ch = FileChannel.open(source, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("A".repeat(1000).getBytes()), 1000);       // already sent
                ch.write(ByteBuffer.wrap("B".repeat(1000).getBytes()), 2_900_000);  // not yet
            }
            Files.setLastModifiedTime(source, mtime);

            TransferResult r = upload.get();
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("u2.bin")), "a mix was published: " + r);
            assertTrue(h.count("restarted") >= 1, h.events.toString());
        }
    }
}
