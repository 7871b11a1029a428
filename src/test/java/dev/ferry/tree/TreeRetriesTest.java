package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.ledger.LedgerException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which failures before a tree's claim end its order at once, which are tried again, and which are waited out. */
class TreeRetriesTest {
    @Test
    void aFullDiskOrABadNumberIsTriedAgainADeniedFolderIsNot() {
        TreeRetries retries = new TreeRetries(3, Duration.ofHours(1));
        assertNull(retries.spent(new FileSystemException("/in", null, "No space left on device")));
        assertNull(retries.spent(new NumberFormatException("For input string: \"x\"")));
        assertEquals("", retries.spent(new AccessDeniedException("/in")));
    }

    @Test
    void aFolderUnderAFileIsNotTriedAgain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("a-file"), "in the way");
        // What Files.createDirectories throws there (ENOTDIR has no exception type of its own).
        assertEquals("", new TreeRetries(3, Duration.ofHours(1)).spent(
                new FileSystemException(file.resolve("t2").toString(), null, "Not a directory")));
    }

    @Test
    void theLedgerDownIsWaitedOutNotCountedAsTries() {
        TreeRetries retries = new TreeRetries(1, Duration.ofHours(1));
        RuntimeException down = new LedgerException("cannot accept tree request t", new java.sql.SQLException("gone"));
        assertNull(retries.spent(down));
        assertNull(retries.spent(down));
    }
}
