package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The finish check without the inbox's readiness filter (the command line, or a writer that opened the file after
 * it was taken): an upload started while a writer still holds the file open and pauses is not published with the
 * part that was there; it waits for the writer, then sends the whole file.
 */
class OpenWriterUploadTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void anUploadWhoseWriterStillHoldsTheFileOpenIsPublishedWholeAfterTheWriterCloses() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = tmp.resolve("held-open.bin");
            byte[] part = new byte[MIB];
            Random random = new Random(61);
            CompletableFuture<TransferResult> upload;
            try (OutputStream out = Files.newOutputStream(source)) {
                random.nextBytes(part);
                out.write(part);
                out.flush();
                upload = CompletableFuture.supplyAsync(() -> {
                    try {
                        return h.engine.run(h.upload(source, "/held-open.bin", TransferOptions.none()));
                    } catch (TransferFailedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                // The writer's own pause, longer than the first megabyte takes to send and publish.
                Thread.sleep(3000);
                random.nextBytes(part);
                out.write(part);
            }
            TransferResult result = upload.get(60, TimeUnit.SECONDS);
            assertEquals(2L * MIB, result.size());
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("held-open.bin")));
            assertTrue(h.count("restarted") >= 1, h.events.toString());
            assertEquals(1, h.count("start"), h.events.toString());
        }
    }
}
