package dev.ferry.source;

import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The wall clock (a file's change time is on it) and the monotonic clock read as one pair. Read one after the other,
 * a thread descheduled between the two -- tens of milliseconds on a loaded machine -- makes a pair that looks like a
 * step of the wall clock, and a /proc pass that then refused every file made its callers wait for a new pass: so
 * the pair is read between two monotonic readings, again when those lie far apart.
 *
 * @param wall  the wall clock
 * @param nanos {@link System#nanoTime()} at the same moment (within {@link #TIGHT_NANOS}, or the best of a few tries)
 */
record Clocks(Instant wall, long nanos) {
    /** A pair whose monotonic readings lie closer than this is taken at once. */
    static final long TIGHT_NANOS = 1_000_000L;
    private static final int TRIES = 4;

    static Clocks read() {
        return read(System::nanoTime, Instant::now);
    }

    /** {@link #read()} on the clocks given: a test's own. */
    static Clocks read(LongSupplier monotonic, Supplier<Instant> wallClock) {
        Clocks best = null;
        long bestGap = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            long before = monotonic.getAsLong();
            Instant wall = wallClock.get();
            long after = monotonic.getAsLong();
            long gap = after - before;
            if (gap < bestGap) {
                best = new Clocks(wall, before + gap / 2);
                bestGap = gap;
            }
            if (gap <= TIGHT_NANOS) {
                break;
            }
        }
        return best;
    }

    /** Wall minus monotonic clock: a step of the wall clock between two pairs changes it. */
    long offsetNanos() {
        return WriterSnapshot.epochNanos(wall) - nanos;
    }
}
