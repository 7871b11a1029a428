package dev.ferry.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether some process still holds a file open for writing, from Linux's {@code /proc/<pid>/fd} (only the
 * processes this user may look into, which is where an inbox's writers normally are). A writer that pauses longer
 * than any settle time is still found here, so a half-written file is never taken for a finished one. Where there
 * is no {@code /proc} (macOS, Windows) nothing is found, and size and time are all there is.
 */
public final class OpenWriters {
    private static final Path PROC = Path.of("/proc");
    /** O_ACCMODE bits of fdinfo's octal flags: 1 = O_WRONLY, 2 = O_RDWR. */
    private static final int ACCESS_MODE = 3;

    private OpenWriters() {
    }

    /** The id of a process holding {@code file} open for writing, or -1 when none is seen. */
    public static long writerOf(Path file) {
        if (!Files.isDirectory(PROC)) {
            return -1;
        }
        Path target;
        try {
            target = file.toRealPath();
        } catch (IOException e) {
            return -1;
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, OpenWriters::isProcess)) {
            for (Path process : processes) {
                if (writes(process, target)) {
                    return Long.parseLong(process.getFileName().toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc changes while it is read; a scan that fails says nothing.
        }
        return -1;
    }

    private static boolean isProcess(Path p) {
        String name = p.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    private static boolean writes(Path process, Path target) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                if (target.equals(linkTarget(fd)) && openForWriting(process, fd.getFileName().toString())) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Another user's process, or one that ended while we looked.
        }
        return false;
    }

    private static Path linkTarget(Path fd) {
        try {
            return Files.readSymbolicLink(fd);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static boolean openForWriting(Path process, String fd) throws IOException {
        for (String line : Files.readAllLines(process.resolve("fdinfo").resolve(fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).trim(), 8) & ACCESS_MODE) != 0;
            }
        }
        return false;
    }
}
