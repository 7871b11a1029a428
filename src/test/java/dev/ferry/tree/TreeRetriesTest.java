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
    void theLedgerDownIsWaitedOutNotCountedAsTries() {
        TreeRetries retries = new TreeRetries(1, Duration.ofHours(1));
        RuntimeException down = new LedgerException("cannot accept tree request t", new java.sql.SQLException("gone"));
        assertNull(retries.spent(down));
        assertNull(retries.spent(down));
    }
}
