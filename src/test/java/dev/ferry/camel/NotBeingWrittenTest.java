package dev.ferry.camel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload inbox's filter holds back a file a process still writes, and passes a file whose exchange already runs
 * without looking (Camel skips it right after), so a poll does not re-examine every drop being sent.
 */
class NotBeingWrittenTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private Process writer;

    @BeforeEach
    void linuxOnly() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
    }

    @AfterEach
    void stopWriter() {
        if (writer != null) {
            writer.destroyForcibly();
        }
    }

    @Test
    void aFileBeingWrittenWaitsUnlessItsExchangeAlreadyRuns() throws Exception {
        Path drop = Files.write(dir.resolve("drop.bin"), new byte[] {1, 2, 3});
        writer = holdingForWriting(drop);
        IdempotentRepository inProgress = MemoryIdempotentRepository.memoryIdempotentRepository();
        inProgress.start();
        NotBeingWritten filter = new NotBeingWritten(inProgress);

        assertFalse(filter.accept(file(drop)), "a file a process holds open for writing is not taken");
        assertFalse(new NotBeingWritten().accept(file(drop)), "nor without an in-progress repository");

        inProgress.add(drop.toString());
        assertTrue(filter.accept(file(drop)), "in progress: passed on for Camel to skip, with no look of its own");
        assertFalse(new NotBeingWritten().accept(file(drop)), "without the repository it is looked at every time");

        inProgress.remove(drop.toString());
        assertFalse(filter.accept(file(drop)), "no longer in progress: looked at again");
    }

    private static GenericFile<Object> file(Path path) {
        GenericFile<Object> f = new GenericFile<>();
        f.setAbsolute(true);
        f.setAbsoluteFilePath(path.toString());
        f.setFileName(path.getFileName().toString());
        f.setFileNameOnly(path.getFileName().toString());
        f.setRelativeFilePath(path.getFileName().toString());
        f.setDirectory(false);
        return f;
    }

    private Process holdingForWriting(Path file) throws IOException {
        Path opened = dir.resolve(file.getFileName() + ".opened");
        Process p = new ProcessBuilder("sh", "-c", "exec 3>>\"$1\"; : > \"$2\"; exec sleep 30", "sh",
                file.toString(), opened.toString()).start();
        Await.until(WAIT, () -> Files.exists(opened), () -> "the process never opened " + file);
        Await.until(WAIT, () -> held(p, file), () -> "the process never held " + file + " after exec");
        return p;
    }

    private static boolean held(Process p, Path file) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "fd", "3")).equals(file)
                    && Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).startsWith("sleep");
        } catch (IOException e) {
            return false;
        }
    }
}
