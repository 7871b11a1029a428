package dev.ferry.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of local resources: with the inbox's disk full, every reason file that could not be written left
 * its staging file behind in .failed/ (914 empty .ferry-reason-*.tmp after one run). A reason that cannot be written
 * leaves nothing.
 */
class ReasonFilesTest {
    @TempDir
    Path failed;

    @Test
    void aReasonThatCannotBeWrittenLeavesNoStagingFileBehind() throws IOException {
        // What refuses the write here: a non-empty folder where the reason file goes (a full disk in the review).
        Files.createDirectories(failed.resolve(ReasonFiles.nameFor("x.bin")).resolve("in-the-way"));
        assertThrows(IOException.class, () -> ReasonFiles.write(failed, "x.bin", "why"));
        try (Stream<Path> left = Files.list(failed)) {
            assertEquals(List.of(ReasonFiles.nameFor("x.bin")), left.map(p -> p.getFileName().toString()).toList());
        }
    }
}
