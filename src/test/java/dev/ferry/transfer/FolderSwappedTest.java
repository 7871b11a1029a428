package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download's folder moved away and replaced by a link while the bytes come (a review's reproduction): the rename
 * went through the link and the file was published outside the folder that was checked when the download began. It
 * is refused now, in words, and nothing appears where the link points.
 */
class FolderSwappedTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void aFolderSwappedForALinkDuringTheDownloadGetsNothingPublishedThroughIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("big.bin", 8 * MIB, 7);
            Path folder = Files.createDirectories(tmp.resolve("downloads/swap"));
            Path outside = Files.createDirectories(tmp.resolve("outside"));
            var request = h.download("/big.bin", folder.resolve("big.bin"),
                    TransferOptions.none().withSegments(1).withRateLimit(MIB));
            CompletableFuture<TransferResult> run = startAndAwaitPartFile(h, request, folder);
            assertFalse(run.isDone(), "done before the swap: " + run);
            // mv downloads/swap outside/swapdir; ln -s outside/swapdir downloads/swap
            Files.move(folder, outside.resolve("swapdir"));
            Files.createSymbolicLink(folder, outside.resolve("swapdir"));

            Exception e = assertThrows(Exception.class, () -> run.get(60, java.util.concurrent.TimeUnit.SECONDS));
            String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            assertTrue(message.contains("was moved or replaced during the download"), message);
            assertFalse(Files.exists(outside.resolve("swapdir/big.bin")), "published through the link");
        }
    }

    /**
     * A hostile review of local resources: the folder replaced by a file of its name (mv cl cl-moved; echo x > cl)
     * failed the publish seven times over 16 s with the bare "…/.big.bin.ferry-….part: Not a directory" (exit 1). It
     * says what happened and what to do, as for a folder moved away, as a local failure (exit 3).
     */
    @Test
    void aFolderReplacedByAFileIsSaidInWords() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("big.bin", 8 * MIB, 8);
            Path folder = Files.createDirectories(tmp.resolve("downloads/cl"));
            var request = h.download("/big.bin", folder.resolve("big.bin"),
                    TransferOptions.none().withSegments(1).withRateLimit(MIB));
            CompletableFuture<TransferResult> run = startAndAwaitPartFile(h, request, folder);
            Files.move(folder, tmp.resolve("downloads/cl-moved"));
            Files.writeString(folder, "a file where the folder was");

            Exception e = assertThrows(Exception.class, () -> run.get(60, java.util.concurrent.TimeUnit.SECONDS));
            String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            assertTrue(message.contains("was moved or replaced during the download") && message.contains("a file,"
                    + " not a folder") && message.contains("put the folder back"), message);
            boolean local = false;
            for (Throwable c = e; c != null; c = c.getCause()) {
                local |= c instanceof LocalFileException;
            }
            assertTrue(local, "not a local-file failure (the command line's exit 3): " + e);
        }
    }

    /** Runs the download on a thread of its own and returns once its part file is in {@code folder}. */
    private static CompletableFuture<TransferResult> startAndAwaitPartFile(EngineHarness h,
            dev.ferry.plan.TransferRequest request, Path folder) {
        CompletableFuture<TransferResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return h.engine.run(request);
            } catch (TransferFailedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Await.until(Duration.ofSeconds(30), () -> {
            try (var s = Files.list(folder)) {
                return s.anyMatch(p -> p.getFileName().toString().endsWith(".part"));
            } catch (java.io.IOException e) {
                return false;
            }
        }, () -> "no part file");
        return run;
    }
}
