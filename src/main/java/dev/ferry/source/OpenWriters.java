package dev.ferry.source;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether some process still holds a file open for writing, from Linux's {@code /proc/<pid>/fd} (only the
 * processes this user may look into, which is where an inbox's writers normally are). A writer that pauses longer
 * than any settle time is still found here, so a half-written file is never taken for a finished one. Where there
 * is no {@code /proc} (macOS, Windows) nothing is found, and size and time are all there is.
 *
 * <p>A pass reads a link per open descriptor of every process it may see -- a few milliseconds on an idle machine
 * with two thousand of them, tenths of a second on a loaded one -- so it is never made per file: one pass
 * ({@link WriterSnapshot}) answers for every file that last changed before it began, and is shared by every caller
 * (the inbox filter's poll, each upload's check before its rename, each drop's before {@code .done/}) while it is
 * young. One pass runs at a time; callers that need a newer one meanwhile wait for it and share it.
 */
public final class OpenWriters {
    private static final File PROC = new File("/proc");
    /** O_ACCMODE bits of fdinfo's octal flags: 1 = O_WRONLY, 2 = O_RDWR. */
    private static final int ACCESS_MODE = 3;
    /**
     * How long a pass answers "nobody writes it" for files that changed before it: bounds the window in which a
     * writer that opened a finished file after the pass, and has not written yet, goes unseen. A burst of drops then
     * costs about two passes a second, whatever the number of files.
     */
    public static final long MAX_AGE_NANOS = 500_000_000L;

    private static final Object PASS = new Object();
    private static volatile WriterSnapshot latest;

    private OpenWriters() {
    }

    /** A file's identity and last change (ctime: set by every write and rename, and not settable by the writer). */
    public record Stamp(Object fileKey, Instant changed) {
        /** Null when the file cannot be read (gone, or not there). */
        public static Stamp of(Path file) {
            try {
                Map<String, Object> a = Files.readAttributes(file, "unix:ctime,fileKey");
                return new Stamp(a.get("fileKey"), ((FileTime) a.get("ctime")).toInstant());
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // No unix view, so no /proc either: the identity is all a pass could use, and it finds nothing.
                try {
                    BasicFileAttributes b = Files.readAttributes(file, BasicFileAttributes.class);
                    return new Stamp(b.fileKey(), b.lastModifiedTime().toInstant());
                } catch (IOException | SecurityException gone) {
                    return null;
                }
            } catch (IOException | SecurityException e) {
                return null;
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
        long pid = pass.writerOf(stamp.fileKey());
        if (pid >= 0 && !pass.startedAfter(asked)) {
            pid = snapshot(asked).writerOf(stamp.fileKey());
        }
        return pid;
    }

    /** A pass that answers for a file last changed at {@code changed}: the latest one if it may, else a new one. */
    public static WriterSnapshot since(Instant changed) {
        WriterSnapshot pass = latest;
        if (pass != null && pass.answersFor(changed, MAX_AGE_NANOS)) {
            return pass;
        }
        synchronized (PASS) {
            pass = latest;
            if (pass != null && pass.answersFor(changed, MAX_AGE_NANOS)) {
                return pass; // made by another caller while this one waited
            }
            return newPass();
        }
    }

    /** A pass that began at or after {@code nanoTime}: one another caller started meanwhile, or a new one. */
    public static WriterSnapshot snapshot(long nanoTime) {
        synchronized (PASS) {
            WriterSnapshot pass = latest;
            return pass != null && pass.startedAfter(nanoTime) ? pass : newPass();
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
        Instant wall = Instant.now();
        long started = System.nanoTime();
        Map<Object, Long> writers = new HashMap<>();
        boolean procSeen = scan(writers);
        WriterSnapshot pass = new WriterSnapshot(writers, procSeen, wall, started, System.nanoTime());
        latest = pass;
        return pass;
    }

    private static boolean scan(Map<Object, Long> writers) {
        // File.list answers null where NIO would throw: most of /proc is other users' processes, or gone.
        String[] processes = PROC.list();
        if (processes == null) {
            return false;
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
                // The link first: one system call, and it rules out most descriptors (sockets, pipes, devices)
                // before the dearer read of fdinfo and the stat of the file.
                Path link = Path.of("/proc", process, "fd", fd);
                if (mayBeADrop(linkTarget(link)) && openForWriting(process, fd)) {
                    Object key = fileKey(link);
                    if (key != null) {
                        writers.put(key, Long.parseLong(process));
                    }
                }
            }
        }
        return true;
    }

    /** A regular file that still has a name: not a socket, pipe, terminal, kernel file or deleted file. */
    private static boolean mayBeADrop(String target) {
        return target != null && target.startsWith("/") && !target.endsWith(" (deleted)")
                && !target.startsWith("/proc/") && !target.startsWith("/sys/")
                && !(target.startsWith("/dev/") && !target.startsWith("/dev/shm/"));
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The identity of the file the descriptor refers to (stat through the link, as fstat would). */
    private static Object fileKey(Path link) {
        try {
            return Files.readAttributes(link, BasicFileAttributes.class).fileKey();
        } catch (IOException | SecurityException e) {
            return null; // closed while we looked
        }
    }

    private static boolean openForWriting(String process, String fd) {
        try {
            String info = new String(Files.readAllBytes(Path.of("/proc", process, "fdinfo", fd)),
                    StandardCharsets.US_ASCII);
            int at = info.indexOf("flags:");
            if (at < 0) {
                return false;
            }
            int end = info.indexOf('\n', at);
            String flags = info.substring(at + 6, end < 0 ? info.length() : end).trim();
            return (Integer.parseInt(flags, 8) & ACCESS_MODE) != 0;
        } catch (IOException | RuntimeException e) {
            // The descriptor was closed while we looked: not a writer any more.
            return false;
        }
    }
}
