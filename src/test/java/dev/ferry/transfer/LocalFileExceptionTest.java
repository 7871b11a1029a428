package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A hostile review: of two `get -r` into one folder, each with a ledger of its own, the loser failed with the part
 * file's bare path ("cannot write …/.a.bin.ferry-1234abcd.part (…/.a.bin.ferry-1234abcd.part): check that the
 * directory exists and is writable"), the JDK's whole message for a file made or removed under it.
 */
class LocalFileExceptionTest {
    @Test
    void aPartFileMadeOrRemovedMeanwhileNamesTheOtherProcess() {
        Path part = Path.of("/data/downloads/.a.bin.ferry-1234abcd.part");
        for (java.io.IOException cause : new java.io.IOException[] {
                new FileAlreadyExistsException(part.toString()), new NoSuchFileException(part.toString())}) {
            String m = LocalFileException.writing(part, cause).getMessage();
            assertTrue(m.contains("the partial download of /data/downloads/a.bin"), m);
            assertTrue(m.contains("meanwhile by another process"), m);
            assertTrue(m.contains("run one download of a local file at a time"), m);
            assertFalse(m.contains("writable"), m);
        }
    }

    @Test
    void anotherFailureKeepsItsOwnWords() {
        Path part = Path.of("/data/downloads/.a.bin.ferry-1234abcd.part");
        String m = LocalFileException.writing(part, new java.io.IOException("No space left on device")).getMessage();
        assertTrue(m.contains("the local disk is full"), m);
        String other = LocalFileException.writing(Path.of("/data/downloads/a.bin"),
                new NoSuchFileException("/data/downloads/a.bin")).getMessage();
        assertTrue(other.contains("check that the directory exists and is writable"), other);
    }
}
