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

    /**
     * A hostile review of several nodes: a drop this node took before it froze past its lease, delivered meanwhile by
     * the node that took the inboxes over, was accepted again when this node woke, and its PUBLISHED row turned FAILED
     * ("does not exist") with a reason file for a delivered drop. Gone from the inbox and published since it was
     * taken, it is done; anything else runs as before.
     */
    @Test
    void aDropGoneFromTheInboxAndPublishedSinceItWasTakenIsDoneElsewhere() throws Exception {
        Path gone = inbox.resolve("gone.bin");
        Instant taken = Instant.now();
        java.util.Optional<TransferRecord> after = java.util.Optional.of(published(gone, 5, 1, taken.plusSeconds(2)));
        assertTrue(FerryProducer.filedElsewhere(gone, taken.toEpochMilli(), after).isPresent());
        assertTrue(FerryProducer.filedElsewhere(gone, taken.toEpochMilli(),
                java.util.Optional.of(published(gone, 5, 1, taken.minusSeconds(60)))).isPresent(),
                "published by a node whose clock is a minute behind this one's");
        assertFalse(FerryProducer.filedElsewhere(gone, taken.toEpochMilli(),
                java.util.Optional.of(published(gone, 5, 1, taken.minusSeconds(3600)))).isPresent(),
                "published long before it was taken: removed by someone, not delivered by another node");
        assertFalse(FerryProducer.filedElsewhere(gone, taken.toEpochMilli(), java.util.Optional.empty()).isPresent());
        Path here = Files.writeString(inbox.resolve("here.bin"), "hello");
        assertFalse(FerryProducer.filedElsewhere(here, taken.toEpochMilli(),
                java.util.Optional.of(published(here, 5, 1, taken.plusSeconds(2)))).isPresent(), "still in the inbox");
    }

    private static TransferRecord published(Path drop, long size, long mtime, Instant at) {
        return new TransferRecord("u-1", Direction.UPLOAD, "s", "/a.bin", drop.toString(), TransferStatus.PUBLISHED,
                size, mtime, "{}", null, size, 0, at, at);
    }
}
