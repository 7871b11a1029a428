package dev.ferry.transfer;

import dev.ferry.ledger.SegmentRecord;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A segment in memory while its transfer runs. {@code end} can only shrink (a thief took the upper half);
 * {@code offset} is the next byte to move, ahead of what the ledger holds by at most one checkpoint interval.
 */
final class LiveSegment {
    final int index;
    final long start;
    private volatile long end;
    private final AtomicLong offset;
    private volatile boolean done;
    /**
     * For a sequential upload, the server's SIZE when the latest attempt began (-1 when never asked): how retries
     * judge progress, since bytes that left this process may still have been lost in a cut.
     */
    private volatile long confirmed = -1;
    /** Where and when the current connection began moving this segment: its rate for work stealing. */
    private volatile long runStartOffset;
    private volatile long runStartNanos;

    LiveSegment(SegmentRecord r) {
        this.index = r.index();
        this.start = r.start();
        this.end = r.end();
        this.offset = new AtomicLong(r.offset());
        this.done = r.done();
    }

    /** A connection begins (or begins again, after a retry) moving this segment. */
    void startRun() {
        runStartOffset = offset.get();
        runStartNanos = System.nanoTime();
    }

    /** Bytes per second since {@link #startRun()}, or -1 when too young to tell (under 300 ms). */
    double rate() {
        long since = runStartNanos;
        long elapsed = System.nanoTime() - since;
        if (since == 0 || elapsed < 300_000_000L) {
            return -1;
        }
        return (offset.get() - runStartOffset) * 1e9 / elapsed;
    }

    long end() {
        return end;
    }

    long offset() {
        return offset.get();
    }

    long remaining() {
        return done ? 0 : Math.max(0, end - offset.get());
    }

    boolean done() {
        return done;
    }

    /** Moves the offset; for a sequential upload the server's SIZE may move it back. */
    void offset(long value) {
        offset.set(value);
    }

    long confirmed() {
        return confirmed;
    }

    void confirmed(long serverOffset) {
        confirmed = serverOffset;
    }

    void shrinkTo(long newEnd) {
        end = newEnd;
    }

    void markDone() {
        done = true;
        offset.set(Math.max(offset.get(), end));
    }

    SegmentRecord snapshot() {
        return new SegmentRecord(index, start, end, Math.min(offset.get(), end), done);
    }
}
