package dev.ferry.source;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether some process still holds a file open for writing, from Linux's {@code /proc/<pid>/fd} (only the
 * processes this user may look into, which is where an inbox's writers normally are). A writer that pauses longer
 * than any settle time is still found here, so a half-written file is never taken for a finished one. Where there
 * is no {@code /proc} (macOS, Windows) nothing is found, and size and time are all there is.
 *
 * <p>A pass reads a link per open descriptor of every process it may see -- 20-50 ms for 1,500 of them on a loaded
 * 2-core machine, where reading each one's fdinfo as well cost 0.2-0.4 s -- so it is never made per file: one pass
 * ({@link WriterSnapshot}) answers for every file that last changed before it began, and is shared by every caller
 * (the inbox filter's poll, each upload's check before its rename, each drop's before {@code .done/}) while it is
 * young. One pass runs at a time; callers that need a newer one meanwhile wait for it and share it.
 */
public final class OpenWriters {
    private static final File PROC = new File("/proc");
    /**
     * How long a pass answers "nobody writes it" for files that changed before it: bounds the window in which a
     * writer that opened a finished file after the pass, and has not written yet, goes unseen. A burst of drops then
     * costs about two passes a second, whatever the number of files.
     */
    public static final long MAX_AGE_NANOS = 500_000_000L;

    /** Held while a pass runs: one at a time. */
    private static final ReentrantLock PASS = new ReentrantLock();
    private static volatile WriterSnapshot latest;

    private OpenWriters() {
    }

    /**
     * A file's real path (as /proc shows it) and last change (ctime: set by every write and rename, and not
     * settable by the writer).
     */
    public record Stamp(String realPath, Instant changed) {
        /** Null when the file cannot be read (gone, or not there). */
        public static Stamp of(Path file) {
            try {
                Path real = file.toRealPath();
                return new Stamp(real.toString(), changeTime(real));
            } catch (IOException | SecurityException e) {
                return null;
            }
        }

        /**
         * {@link #of} for a file named {@code name} in a folder whose real path is {@code realDir}: one stat
         * instead of one per path element, for a caller that looks at many files of one folder.
         */
        public static Stamp in(String realDir, String name) {
            String path = realDir.endsWith("/") ? realDir + name : realDir + "/" + name;
            try {
                Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:ctime,isSymbolicLink",
                        LinkOption.NOFOLLOW_LINKS);
                if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
                    return of(Path.of(path));
                }
                return new Stamp(path, ((FileTime) a.get("ctime")).toInstant());
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                return of(Path.of(path));
            } catch (IOException | SecurityException e) {
                return null;
            }
        }

        private static Instant changeTime(Path real) throws IOException {
            try {
                return ((FileTime) Files.getAttribute(real, "unix:ctime")).toInstant();
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // No unix view, so no /proc either: a pass finds nothing, whatever the time.
                return Files.getLastModifiedTime(real).toInstant();
            }
        }
    }

    /**
     * The id of a process holding {@code file} open for writing, or -1 when none is seen -- by a pass that began
     * after the file's last change (shared), and, when that pass saw a writer, by one that began after this call (a
     * writer seen earlier may have closed since).
     */
    public static long writerOf(Path file) {
        long asked = System.nanoTime();
        Stamp stamp = Stamp.of(file);
        if (stamp == null) {
            return -1;
        }
        WriterSnapshot pass = since(stamp.changed());
        long pid = pass.writerOf(stamp.realPath());
        if (pid >= 0 && !pass.startedAfter(asked)) {
            pid = snapshot(asked).writerOf(stamp.realPath());
        }
        return pid;
    }

    /** {@code file}'s real path as /proc shows it, or null when it cannot be resolved. */
    public static String realPath(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * A pass that answers for a file last changed at {@code changed}: the latest one if it may, else a new one. A
     * caller that finds the latest pass near the end of its life makes the next one while the others go on with the
     * latest (on a loaded machine a pass takes tenths of a second, and every caller waiting for it cost the lanes
     * 13-27 % of their time: bench/RESULTS.md, section 4b). Near: with twice the last pass's time left, and at the
     * latest at half its life -- a quick pass is made about twice a second while files keep asking, a slow one as
     * early as before (at half life a tree upload made three to four a second, 5 % of its CPU at load 7).
     */
    public static WriterSnapshot since(Instant changed) {
        WriterSnapshot pass = latest;
        if (pass != null && pass.answersFor(changed, MAX_AGE_NANOS)) {
            long renewAfter = Math.max(MAX_AGE_NANOS / 2, MAX_AGE_NANOS - 2 * pass.durationNanos());
            if (!pass.startedAfter(System.nanoTime() - renewAfter) && PASS.tryLock()) {
                try {
                    if (latest == pass) {
                        newPass();
                    }
                } finally {
                    PASS.unlock();
                }
            }
            return pass;
        }
        PASS.lock();
        try {
            pass = latest;
            if (pass != null && pass.answersFor(changed, MAX_AGE_NANOS)) {
                return pass; // made by another caller while this one waited
            }
            return newPass();
        } finally {
            PASS.unlock();
        }
    }

    /** A pass that began at or after {@code nanoTime}: one another caller started meanwhile, or a new one. */
    public static WriterSnapshot snapshot(long nanoTime) {
        PASS.lock();
        try {
            WriterSnapshot pass = latest;
            return pass != null && pass.startedAfter(nanoTime) ? pass : newPass();
        } finally {
            PASS.unlock();
        }
    }

    /** A pass that begins now. */
    public static WriterSnapshot snapshot() {
        return snapshot(System.nanoTime());
    }

    /** The latest pass, or null before the first. */
    public static WriterSnapshot latest() {
        return latest;
    }

    private static WriterSnapshot newPass() {
        Clocks started = Clocks.read();
        Map<String, String[]> open = new HashMap<>();
        boolean procSeen = scan(open);
        WriterSnapshot pass = new WriterSnapshot(open, procSeen, started, System.nanoTime());
        latest = pass;
        return pass;
    }

    /**
     * Every descriptor's link: one cheap system call each. Whether one is open for writing is read later, and only
     * for the files asked about: reading every descriptor's fdinfo cost several times the whole pass (measured:
     * bench/RESULTS.md, section 4b).
     */
    private static boolean scan(Map<String, String[]> open) {
        // File.list answers null where NIO would throw: most of /proc is other users' processes, or gone.
        String[] processes = PROC.list();
        if (processes == null) {
            return false;
        }
        for (String process : processes) {
            if (process.isEmpty() || !Character.isDigit(process.charAt(0))) {
                continue;
            }
            String fdDir = "/proc/" + process + "/fd/";
            String[] fds = new File(fdDir).list();
            if (fds == null) {
                continue;
            }
            for (String fd : fds) {
                String target = WriterSnapshot.linkTarget(fdDir + fd);
                if (mayBeADrop(target)) {
                    String pidFd = process + "/" + fd;
                    open.merge(target, new String[] {pidFd}, OpenWriters::concat);
                }
            }
        }
        return true;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** A regular file that still has a name: not a socket, pipe, terminal, kernel file or deleted file. */
    private static boolean mayBeADrop(String target) {
        return target != null && target.startsWith("/") && !target.endsWith(" (deleted)")
                && !target.startsWith("/proc/") && !target.startsWith("/sys/")
                && !(target.startsWith("/dev/") && !target.startsWith("/dev/shm/"));
    }
}
