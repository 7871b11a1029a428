package dev.ferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check before an upload's rename reads a small source again for its SHA-256 only when the file may have been
 * written since the planning hash: Linux's change time moves with every write, also one whose modification time is
 * put back, so an unchanged change time (with size, time and inode) proves the bytes are the ones hashed.
 */
class SourceRehashTest {
    private static final int SIZE = 200_000;

    @TempDir
    Path dir;
    private Path file;
    /** How often this test's file was read for a SHA-256. */
    private final AtomicLong hashes = new AtomicLong();

    @BeforeEach
    void anOldFileWithAChangeTime() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("unix"), "needs a unix change time");
        file = Files.write(dir.resolve("small.bin"), content(1));
        // Past the coarse file clock's margin, so the planning hash can vouch for this change time.
        Thread.sleep(2 * SourceState.CLOCK_MARGIN_NANOS / 1_000_000);
        SourceState.onHash = f -> {
            if (f.equals(file)) {
                hashes.incrementAndGet();
            }
        };
    }

    @AfterEach
    void noHook() {
        SourceState.onHash = f -> { };
    }

    @Test
    void anUnchangedFileIsNotReadAgainForItsHash() throws Exception {
        SourceState sent = SourceState.of(file, true);
        assertNotNull(sent.hashedAt(), "the planning hash proves the file's change time");
        long before = hashes.get();

        assertNull(SourceCheck.differs(file, sent));
        assertNull(SourceCheck.differs(file, sent.as(sent.size(), sent.mtimeMillis())));

        assertEquals(before, hashes.get(), "the unchanged file was hashed again");
    }

    @Test
    void aRewriteWithItsModificationTimePutBackIsHashedAgainAndFound() throws Exception {
        SourceState sent = SourceState.of(file, true);
        long before = hashes.get();

        dev.ferry.testing.Rewrites.inPlace(file, content(2));

        assertEquals("same size and time, different content (SHA-256)", SourceCheck.differs(file, sent));
        assertEquals(before + 1, hashes.get());
    }

    @Test
    void aChangeOfTheChangeTimeAloneIsHashedAgainAndPasses() throws Exception {
        SourceState sent = SourceState.of(file, true);
        long before = hashes.get();

        // Setting the same modification time moves only the change time; the bytes are the same.
        Files.setLastModifiedTime(file, FileTime.fromMillis(sent.mtimeMillis()));

        assertNull(SourceCheck.differs(file, sent));
        assertEquals(before + 1, hashes.get(), "a changed change time must be read again");
    }

    @Test
    void aStateWithoutAProvenChangeTimeIsHashedAgain() throws Exception {
        SourceState sent = SourceState.of(file, true);
        SourceState unproven = new SourceState(sent.size(), sent.mtimeMillis(), sent.fileKey(), sent.sha256());
        long before = hashes.get();

        assertNull(SourceCheck.differs(file, unproven));
        assertEquals(before + 1, hashes.get());
    }

    private static byte[] content(int seed) {
        byte[] b = new byte[SIZE];
        Arrays.fill(b, (byte) seed);
        for (int i = 0; i < SIZE; i += 997) {
            b[i] = (byte) (i * seed);
        }
        return b;
    }
}
