package dev.ferry.transfer;

import dev.ferry.ledger.SegmentRecord;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A segment in memory while its transfer runs. {@code end} can only shrink (a thief took the upper half);
 * {@code offset} is the next byte to move, ahead of what the ledger holds by at most one checkpoint interval.
 * {@code reached} is how far the connection has been allowed to go: a parallel upload's offset moves only when the
 * server confirms a chunk, while the chunk's bytes are already on the wire, so a thief splits above {@code reached},
 * never below it (a byte below was sent, and would be sent twice).
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
    /** Guarded by {@code this}, with {@code end}: a claim and a shrink never cross. */
    private long reached;

    LiveSegment(SegmentRecord r) {
        this.index = r.index();
        this.start = r.start();
        this.end = r.end();
        this.offset = new AtomicLong(r.offset());
        this.done = r.done();
        this.reached = r.offset();
    }

    /** A connection begins (or begins again, after a retry) moving this segment. */
    void startRun() {
        synchronized (this) {
            // A retry starts again from the offset: what the cut attempt sent beyond it is sent again.
            reached = offset.get();
        }
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
        return (position() - runStartOffset) * 1e9 / elapsed;
    }

    long end() {
        return end;
    }

    long offset() {
        return offset.get();
    }

    /** Bytes still to go on the wire: below {@link #position()} they are moving already. */
    long remaining() {
        return done ? 0 : Math.max(0, end - position());
    }

    /** The furthest of the offset and what the connection was allowed to move. */
    synchronized long position() {
        return Math.max(offset.get(), reached);
    }

    /**
     * The connection at {@code pos} is about to move up to {@code want} bytes: how many it may, given the end now
     * (0 once a thief took the rest). From here on no thief splits below {@code pos} plus that many.
     */
    synchronized int claim(long pos, int want) {
        int n = (int) Math.max(0, Math.min(want, end - pos));
        reached = Math.max(reached, pos + n);
        return n;
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

    /** A thief's split: false when the connection already claimed bytes above {@code newEnd}. */
    synchronized boolean shrinkTo(long newEnd) {
        if (newEnd < reached || newEnd > end) {
            return false;
        }
        end = newEnd;
        return true;
    }

    /** Undoes {@link #shrinkTo} when the ledger refused the split (the segment never moved past the lower end). */
    synchronized void restoreEnd(long oldEnd) {
        end = Math.max(end, oldEnd);
    }

    void markDone() {
        done = true;
        offset.set(Math.max(offset.get(), end));
    }

    SegmentRecord snapshot() {
        return new SegmentRecord(index, start, end, Math.min(offset.get(), end), done);
    }
}
