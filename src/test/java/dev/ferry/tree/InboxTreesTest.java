package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a file put into a folder drop after the walk had passed it was never sent, yet the folder was
 * reported "every file verified" and filed in .done/ with it. The folder's upload looks again before it is done.
 */
class InboxTreesTest {
    @TempDir
    Path tmp;

    @Test
    void aFileAddedAfterTheWalkIsSentBeforeTheFolderIsDone() throws Exception {
        try (TreeHarness h = new TreeHarness(FtpServerFixture.builder().ratePerConnection(256 * 1024).start(),
                tmp.resolve("ledger"))) {
            Path drop = Files.createDirectories(tmp.resolve("inbox/drop"));
            for (int i = 0; i < 3; i++) {
                PseudoRandomContent.write(drop.resolve("f" + i + ".bin"), 400 * 1024, i);
            }
            InboxTrees trees = new InboxTrees(h.engine, h.profile.name(), "/incoming", TreeLimits.DEFAULTS);
            CompletableFuture<String> upload = CompletableFuture.supplyAsync(() -> {
                try {
                    return trees.upload(drop);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Await.until(Duration.ofSeconds(20), () -> h.ftp.bytesReceived() > 100 * 1024,
                    () -> "the upload did not get going");
            Path late = Files.writeString(drop.resolve("late.txt"), "written after the walk");
            assertNull(upload.get(), "the folder's upload failed");
            assertEquals(Hashes.sha256(late), Hashes.sha256(h.ftp.file("incoming/drop/late.txt")),
                    "the folder was reported done without the file added late");
        }
    }
}
