package dev.ferry.source;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One pass over {@code /proc}: which files (by the path {@code /proc/<pid>/fd} shows, which is the real path) some
 * process held open, and when the pass began -- by the wall clock, which is the clock a file's change time is on,
 * and by {@link System#nanoTime()}, which says how old the pass is.
 *
 * <p>A pass answers for a file that last changed before the pass began (see {@link #answersFor}): a writer that
 * still had the file open then is in it, and one that closed before then wrote nothing after, or the file's change
 * time would be later. A writer that opens the file after the pass passed its process and has not written yet is
 * not seen -- as with any scan, which can only say what was open while it looked; the age bound keeps that window
 * short.
 *
 * <p>The pass itself only reads each descriptor's link (one cheap system call); whether a descriptor is open for
 * writing (its fdinfo, a file read that costs several times more) is read only for the descriptors on a file that
 * is asked about -- usually none or one -- and only while the descriptor still shows that file.
 */
public final class WriterSnapshot {
    /**
     * File systems stamp changes from a coarse clock (one kernel tick, up to 10 ms, behind the precise one): a pass
     * must begin this much after a file's change time to be sure it began after the change itself.
     */
    static final long CLOCK_MARGIN_NANOS = 20_000_000L;
    /** O_ACCMODE bits of fdinfo's octal flags: 1 = O_WRONLY, 2 = O_RDWR. */
    private static final int ACCESS_MODE = 3;

    /** Real path to the descriptors open on it, as "pid/fd". */
    private final Map<String, String[]> open;
    /** The open paths by device and inode, made once per pass and only if a file with several names is asked. */
    private volatile Map<List<Object>, List<String>> byInode;
    private final boolean procSeen;
    private final Instant startedWall;
    private final long startedNanos;
    private final long endedNanos;
    /** Wall minus monotonic clock at the start: a step of the wall clock since then changes it. */
    private final long clockOffsetNanos;

    WriterSnapshot(Map<String, String[]> open, boolean procSeen, Clocks started, long endedNanos) {
        this.open = open;
        this.procSeen = procSeen;
        this.startedWall = started.wall();
        this.startedNanos = started.nanos();
        this.endedNanos = endedNanos;
        this.clockOffsetNanos = started.offsetNanos();
    }

    /**
     * The id of a process that held the file at {@code realPath} open for writing when the pass ran (and still
     * holds that descriptor), or -1.
     */
    public long writerOf(String realPath) {
        if (realPath == null) {
            return -1;
        }
        long pid = writerOf(realPath, open.get(realPath));
        return pid >= 0 ? pid : writerByAnotherName(realPath);
    }

    /**
     * A writer that opened the file under another of its names: /proc shows the name a descriptor was opened by, so
     * a hard link made into the inbox of a file still being written elsewhere looked unwritten, and its first part
     * was published (a hostile review). Only a file with more than one name is looked up so, in the pass's paths by
     * device and inode ({@link #byInode}: a stat per open path, once per pass, however many such files ask).
     */
    private long writerByAnotherName(String realPath) {
        List<Object> key;
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(realPath), "unix:nlink,ino,dev");
            if (((Number) a.get("nlink")).intValue() < 2) {
                return -1;
            }
            key = List.of(a.get("dev"), a.get("ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return -1;
        }
        for (String other : byInode().getOrDefault(key, List.of())) {
            long pid = other.equals(realPath) ? -1 : writerOf(other, open.get(other));
            if (pid >= 0) {
                return pid;
            }
        }
        return -1;
    }

    private Map<List<Object>, List<String>> byInode() {
        Map<List<Object>, List<String>> index = byInode;
        if (index == null) {
            index = new java.util.HashMap<>();
            for (String path : open.keySet()) {
                try {
                    Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:ino,dev");
                    index.computeIfAbsent(List.of(a.get("dev"), a.get("ino")), k -> new java.util.ArrayList<>())
                            .add(path);
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException
                         | SecurityException e) {
                    // gone since the pass, or not ours to look at
                }
            }
            byInode = index; // two callers may both make it: the same map, once more
        }
        return index;
    }

    private static long writerOf(String realPath, String[] descriptors) {
        if (descriptors == null) {
            return -1;
        }
        for (String pidFd : descriptors) {
            int slash = pidFd.indexOf('/');
            String pid = pidFd.substring(0, slash);
            String fd = pidFd.substring(slash + 1);
            if (realPath.equals(linkTarget(pid, fd)) && openForWriting(pid, fd)) {
                return Long.parseLong(pid);
            }
        }
        return -1;
    }

    /** How many open files (by path) the pass saw. */
    public int size() {
        return open.size();
    }

    /**
     * Whether this pass may answer for a file whose change time is {@code changed}: it began after that change
     * (with the coarse clock's margin), it is at most {@code maxAgeNanos} old, and the wall clock has not been
     * stepped since it began (a step back would make an earlier pass look later than a change). Without /proc every
     * pass answers: there is nothing a later one could find.
     */
    public boolean answersFor(Instant changed, long maxAgeNanos) {
        if (!procSeen) {
            return true;
        }
        if (System.nanoTime() - startedNanos > maxAgeNanos) {
            return false;
        }
        if (Math.abs(Clocks.read().offsetNanos() - clockOffsetNanos) > CLOCK_MARGIN_NANOS) {
            return false;
        }
        return epochNanos(startedWall) - epochNanos(changed) > CLOCK_MARGIN_NANOS;
    }

    /** Whether the pass began at or after {@code nanoTime} (a monotonic time). */
    public boolean startedAfter(long nanoTime) {
        return startedNanos - nanoTime >= 0;
    }

    /** How long the pass took, in nanoseconds. */
    public long durationNanos() {
        return endedNanos - startedNanos;
    }

    /** Nanoseconds since the pass ended. */
    public long ageNanos() {
        return System.nanoTime() - endedNanos;
    }

    static String linkTarget(String pid, String fd) {
        return linkTarget("/proc/" + pid + "/fd/" + fd);
    }

    /** The target of the link at {@code fdPath} ("/proc/pid/fd/n"), or null. */
    static String linkTarget(String fdPath) {
        try {
            return Files.readSymbolicLink(Path.of(fdPath)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // closed, or the process ended
        }
    }

    private static boolean openForWriting(String pid, String fd) {
        byte[] buffer = new byte[512];
        int n;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/fdinfo/" + fd)) {
            n = in.read(buffer);
        } catch (IOException | SecurityException e) {
            return false; // closed while we looked: not a writer any more
        }
        String info = new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
        int at = info.indexOf("flags:");
        if (at < 0) {
            return false;
        }
        int end = info.indexOf('\n', at);
        try {
            return (Integer.parseInt(info.substring(at + 6, end < 0 ? info.length() : end).trim(), 8)
                    & ACCESS_MODE) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
