package dev.ferry.source;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether some process still holds a file open for writing, from Linux's {@code /proc/<pid>/fd} (only the
 * processes this user may look into, which is where an inbox's writers normally are). A writer that pauses longer
 * than any settle time is still found here, so a half-written file is never taken for a finished one. Where there
 * is no {@code /proc} (macOS, Windows) nothing is found, and size and time are all there is.
 *
 * <p>A scan reads one link per open file descriptor of every process it may see: about a millisecond per thousand
 * on an idle machine, so callers scan once per decision, not per buffer.
 */
public final class OpenWriters {
    private static final File PROC = new File("/proc");
    /** O_ACCMODE bits of fdinfo's octal flags: 1 = O_WRONLY, 2 = O_RDWR. */
    private static final int ACCESS_MODE = 3;

    private OpenWriters() {
    }

    /** The id of a process holding {@code file} open for writing, or -1 when none is seen. */
    public static long writerOf(Path file) {
        String target = realPath(file);
        if (target == null) {
            return -1;
        }
        long[] found = {-1};
        scan(target::equals, (pid, path) -> {
            found[0] = pid;
            return true;
        });
        return found[0];
    }

    /**
     * The real paths of the files in {@code dir} (or below) that some visible process holds open for writing, in one
     * scan (empty without /proc).
     */
    public static Set<String> openForWriting(Path dir) {
        Set<String> paths = new HashSet<>();
        String root = realPath(dir);
        if (root == null) {
            return paths;
        }
        String prefix = root.endsWith("/") ? root : root + "/";
        scan(path -> path.startsWith(prefix), (pid, path) -> {
            paths.add(path);
            return false;
        });
        return paths;
    }

    /** {@code file}'s real path as /proc shows it, or null when it cannot be resolved. */
    public static String realPath(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private interface Visitor {
        /** Called for each file held open for writing; true stops the scan. */
        boolean visit(long pid, String path);
    }

    private static void scan(java.util.function.Predicate<String> wanted, Visitor visitor) {
        // File.list answers null where NIO would throw: most of /proc is other users' processes, or gone.
        String[] processes = PROC.list();
        if (processes == null) {
            return;
        }
        for (String process : processes) {
            if (process.isEmpty() || !Character.isDigit(process.charAt(0))) {
                continue;
            }
            String[] fds = new File(PROC, process + "/fd").list();
            if (fds == null) {
                continue;
            }
            for (String fd : fds) {
                String path = linkTarget(process, fd);
                // The path first: reading fdinfo costs a file read, and almost every descriptor is not wanted.
                if (path != null && wanted.test(path) && openForWriting(process, fd)
                        && visitor.visit(Long.parseLong(process), path)) {
                    return;
                }
            }
        }
    }

    private static String linkTarget(String process, String fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", process, "fd", fd)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static boolean openForWriting(String process, String fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", process, "fdinfo", fd))) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring(6).trim(), 8) & ACCESS_MODE) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The descriptor was closed while we looked: not a writer any more.
        }
        return false;
    }
}
