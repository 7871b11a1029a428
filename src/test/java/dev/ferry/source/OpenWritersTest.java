package dev.ferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One /proc pass answers for many files: real processes hold files open, for writing or only for reading, and the
 * pass must tell them apart -- and must not answer for a file that changed after it began.
 */
class OpenWritersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void linuxOnly() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
    }

    @AfterEach
    void stopProcesses() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void onePassReportsTheFileAProcessHoldsOpenForWritingAndNoneOfTheOthers() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            files.add(Files.write(dir.resolve("drop-" + i), ("file " + i).getBytes()));
        }
        Path written = files.get(7);
        Path read = files.get(8);
        Process writer = holding(written, ">>");
        Process reader = holding(read, "<");
        // Past the coarse file clock's margin, so the pass begins after every file's last change.
        Thread.sleep(2 * WriterSnapshot.CLOCK_MARGIN_NANOS / 1_000_000);

        WriterSnapshot pass = OpenWriters.snapshot();

        for (Path f : files) {
            OpenWriters.Stamp stamp = OpenWriters.Stamp.of(f);
            assertEquals(stamp, OpenWriters.Stamp.in(OpenWriters.realPath(dir), f.getFileName().toString()));
            assertTrue(pass.answersFor(stamp.changed(), Long.MAX_VALUE), f + " needed a pass of its own");
            long expected = f.equals(written) ? writer.pid() : -1;
            assertEquals(expected, pass.writerOf(stamp.realPath()), f.getFileName().toString());
        }
        assertTrue(reader.isAlive(), "the reader held " + read + " while the pass ran");
    }

    @Test
    void aFileChangedAfterThePassBeganNeedsANewPass() throws Exception {
        Path f = Files.write(dir.resolve("late"), new byte[] {1});
        Thread.sleep(2 * WriterSnapshot.CLOCK_MARGIN_NANOS / 1_000_000);
        WriterSnapshot pass = OpenWriters.snapshot();
        assertTrue(pass.answersFor(OpenWriters.Stamp.of(f).changed(), Long.MAX_VALUE));

        Process writer = holding(f, ">>");
        Files.write(f, new byte[] {2}, StandardOpenOption.APPEND);
        OpenWriters.Stamp after = OpenWriters.Stamp.of(f);

        assertFalse(pass.answersFor(after.changed(), Long.MAX_VALUE), "a pass from before the change answered for it");
        WriterSnapshot next = OpenWriters.since(after.changed());
        assertNotSame(pass, next, "a pass from before the change answered for it");
        assertEquals(writer.pid(), next.writerOf(after.realPath()));
        assertEquals(writer.pid(), OpenWriters.writerOf(f));
    }

    @Test
    void aWriterThatClosedIsNoLongerReported() throws Exception {
        Path f = dir.resolve("closed");
        Process writer = holding(f, ">");
        assertEquals(writer.pid(), OpenWriters.writerOf(f));

        writer.destroyForcibly().waitFor();

        // The latest pass saw the writer: the answer comes from one that began after the question.
        assertEquals(-1, OpenWriters.writerOf(f));
        assertEquals(-1, OpenWriters.snapshot().writerOf(OpenWriters.Stamp.of(f).realPath()));
    }

    /** A shell that opens {@code file} on descriptor 3 with {@code redirect} and then becomes {@code sleep}. */
    /** A hard link to a file another process still writes under its first name is a file being written. */
    @Test
    void aWriterOfAnotherNameOfTheFileIsFound() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("elsewhere")).resolve("hw.bin");
        Files.write(outside, new byte[3000]);
        Process writer = holding(outside, ">>");
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path drop = Files.createLink(inbox.resolve("hw.bin"), outside);
        Thread.sleep(2 * WriterSnapshot.CLOCK_MARGIN_NANOS / 1_000_000);

        assertEquals(writer.pid(), OpenWriters.writerOf(drop));
        assertEquals(writer.pid(), OpenWriters.snapshot().writerOf(OpenWriters.realPath(drop)));
        writer.destroyForcibly().waitFor();
        Await.until(WAIT, () -> OpenWriters.snapshot().writerOf(OpenWriters.realPath(drop)) < 0,
                () -> "still written after the writer ended");
    }

    private Process holding(Path file, String redirect) throws IOException {
        if (!redirect.equals("<") && !Files.exists(file)) {
            Files.createFile(file);
        }
        Path opened = dir.resolve(file.getFileName() + ".opened");
        Process p = new ProcessBuilder("sh", "-c", "exec 3" + redirect + "\"$1\"; : > \"$2\"; exec sleep 30", "sh",
                file.toString(), opened.toString()).start();
        processes.add(p);
        Await.until(WAIT, () -> Files.exists(opened), () -> "the process never opened " + file);
        Await.until(WAIT, () -> linked(p, file), () -> "the process never held " + file + " after exec");
        return p;
    }

    /** Whether the process (after its exec into sleep) has {@code file} on descriptor 3. */
    private static boolean linked(Process p, Path file) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "fd", "3")).equals(file)
                    && Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).startsWith("sleep");
        } catch (IOException e) {
            return false;
        }
    }
}
