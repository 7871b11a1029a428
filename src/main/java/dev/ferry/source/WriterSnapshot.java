package dev.ferry.source;

import java.time.Instant;
import java.util.Map;

/**
 * One pass over {@code /proc}: which files (by identity: device and inode, as {@code fileKey()} gives them) some
 * process held open for writing, and when the pass began -- by the wall clock, which is the clock a file's change
 * time is on, and by {@link System#nanoTime()}, which says how old the pass is.
 *
 * <p>A pass answers for a file that last changed before the pass began (see {@link #answersFor}): a writer that
 * still had the file open then is in it, and one that closed before then wrote nothing after, or the file's change
 * time would be later. A writer that opens the file after the pass passed its process and has not written yet is
 * not seen -- as with any scan, which can only say what was open while it looked; the age bound keeps that window
 * short.
 */
public final class WriterSnapshot {
    /**
     * File systems stamp changes from a coarse clock (one kernel tick, up to 10 ms, behind the precise one): a pass
     * must begin this much after a file's change time to be sure it began after the change itself.
     */
    static final long CLOCK_MARGIN_NANOS = 20_000_000L;

    private final Map<Object, Long> writers;
    private final boolean procSeen;
    private final Instant startedWall;
    private final long startedNanos;
    private final long endedNanos;
    /** Wall minus monotonic clock at the start: a step of the wall clock since then changes it. */
    private final long clockOffsetNanos;

    WriterSnapshot(Map<Object, Long> writers, boolean procSeen, Instant startedWall, long startedNanos,
                   long endedNanos) {
        this.writers = Map.copyOf(writers);
        this.procSeen = procSeen;
        this.startedWall = startedWall;
        this.startedNanos = startedNanos;
        this.endedNanos = endedNanos;
        this.clockOffsetNanos = epochNanos(startedWall) - startedNanos;
    }

    /** The id of a process that held the file with this {@code fileKey} open for writing, or -1. */
    public long writerOf(Object fileKey) {
        Long pid = fileKey == null ? null : writers.get(fileKey);
        return pid == null ? -1 : pid;
    }

    /** How many open-for-writing files the pass saw. */
    public int size() {
        return writers.size();
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
        long now = System.nanoTime();
        if (now - startedNanos > maxAgeNanos) {
            return false;
        }
        if (Math.abs(epochNanos(Instant.now()) - now - clockOffsetNanos) > CLOCK_MARGIN_NANOS) {
            return false;
        }
        return epochNanos(startedWall) - epochNanos(changed) > CLOCK_MARGIN_NANOS;
    }

    /** Whether the pass began at or after {@code nanoTime} (a monotonic time). */
    public boolean startedAfter(long nanoTime) {
        return startedNanos - nanoTime >= 0;
    }

    /** Nanoseconds since the pass ended. */
    public long ageNanos() {
        return System.nanoTime() - endedNanos;
    }

    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
