package dev.ferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

/** A changed source's reason, as the log, the reason file and the API show it: in words and dates a person reads. */
class SourceStateTest {
    private static final long SENT = 1_796_421_489_123L; // 2026-12-04T21:58:09.123Z

    @Test
    void aDifferenceSaysWhatChangedInWords() {
        SourceState sent = new SourceState(5, SENT, "inode-1", null);
        assertNull(new SourceState(5, SENT, "inode-1", null).differenceFrom(sent));
        assertEquals("size 5 -> 6", new SourceState(6, SENT, "inode-1", null).differenceFrom(sent));
        assertEquals("modified 2026-12-04T21:58:09.123Z -> 2026-12-04T21:58:10.123Z",
                new SourceState(5, SENT + 1000, "inode-1", null).differenceFrom(sent));
        assertEquals("replaced by another file of the same name",
                new SourceState(5, SENT, "inode-2", null).differenceFrom(sent));
        // Without a SHA-256, a change time that moved is a rewrite in place whose modification time was put back
        FileTime then = FileTime.fromMillis(SENT);
        FileTime later = FileTime.fromMillis(SENT + 1);
        SourceState large = new SourceState(5, SENT, "inode-1", null, null, then);
        assertNull(new SourceState(5, SENT, "inode-1", null, null, then).differenceFrom(large));
        assertEquals("written again with its size and modification time kept (its change time moved)",
                new SourceState(5, SENT, "inode-1", null, null, later).differenceFrom(large));
        // With one, the SHA-256 decides: a change time that moved without a new content is no change
        assertNull(new SourceState(5, SENT, "inode-1", "ab", null, later)
                .differenceFrom(new SourceState(5, SENT, "inode-1", "ab", null, then)));
    }
}
