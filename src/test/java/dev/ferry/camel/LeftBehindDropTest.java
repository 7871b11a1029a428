package dev.ferry.camel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PUBLISHED row whose drop is still in the inbox: left behind by a crash between the publish and the drop's move to
 * .done/ (nothing to send), unless the drop was put there after the publish (moved back from .done/ to send it
 * again, which keeps its size and modification time).
 */
class LeftBehindDropTest {
    @TempDir
    Path inbox;

    @Test
    void aDropThereBeforeThePublishIsLeftBehindOneMovedInAfterIsNew() throws Exception {
        Path drop = Files.writeString(inbox.resolve("a.bin"), "hello");
        long mtime = Files.getLastModifiedTime(drop).toMillis();
        Instant now = Instant.now();
        assertTrue(FerryProducer.leftBehind(published(drop, 5, mtime, now.plusSeconds(5)), drop),
                "published after the drop");
        assertFalse(FerryProducer.leftBehind(published(drop, 5, mtime, now.minusSeconds(5)), drop),
                "the drop came back after its publish");
        assertFalse(FerryProducer.leftBehind(published(drop, 6, mtime, now.plusSeconds(5)), drop), "another size");
        assertFalse(FerryProducer.leftBehind(published(drop, 5, mtime - 1000, now.plusSeconds(5)), drop),
                "another time");
        Path gone = inbox.resolve("gone.bin");
        assertFalse(FerryProducer.leftBehind(published(gone, 5, mtime, now.plusSeconds(5)), gone), "no drop");
    }

    /** A download's request file: left behind when it was there before the publish and its download is unchanged. */
    @Test
    void aRequestFileThereBeforeItsDownloadWasPublishedIsLeftBehind() throws Exception {
        Path request = Files.writeString(inbox.resolve("a.json"), "{}");
        Path download = Files.writeString(inbox.resolveSibling(inbox.getFileName() + "-a.bin"), "hello");
        long mtime = Files.getLastModifiedTime(download).toMillis();
        Instant now = Instant.now();
        assertTrue(FerryProducer.leftBehind(published(download, 5, mtime, now.plusSeconds(5)), request),
                "published after the request was dropped");
        assertFalse(FerryProducer.leftBehind(published(download, 5, mtime, now.minusSeconds(5)), request),
                "the request was dropped after the publish");
        assertFalse(FerryProducer.leftBehind(published(download, 5, mtime - 1000, now.plusSeconds(5)), request),
                "the download was replaced since");
        Files.delete(download);
        assertFalse(FerryProducer.leftBehind(published(download, 5, mtime, now.plusSeconds(5)), request),
                "the download is gone");
    }

    private static TransferRecord published(Path drop, long size, long mtime, Instant at) {
        return new TransferRecord("u-1", Direction.UPLOAD, "s", "/a.bin", drop.toString(), TransferStatus.PUBLISHED,
                size, mtime, "{}", null, size, 0, at, at);
    }
}
