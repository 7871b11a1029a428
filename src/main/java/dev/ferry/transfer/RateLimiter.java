package dev.ferry.transfer;

import java.io.InterruptedIOException;

/** A token bucket shared by a transfer's segments: the sum of their rates stays under the limit. */
final class RateLimiter {
    private final long bytesPerSecond;
    private long nextFree;

    RateLimiter(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.nextFree = System.nanoTime();
    }

    static RateLimiter of(long bytesPerSecond) {
        return bytesPerSecond > 0 ? new RateLimiter(bytesPerSecond) : null;
    }

    /**
     * Waits until {@code bytes} more keep the transfer under its rate. The wait is in slices that look at the cancel:
     * one buffer at a low rate is minutes (64 KiB at 1 KiB/s per segment waiting), which held a cancelled transfer's
     * threads and connections that long, and refused its resume as "running".
     */
    void acquire(int bytes, LiveTransfer t) throws java.io.IOException {
        long until;
        synchronized (this) {
            long now = System.nanoTime();
            // Up to a quarter second of unused allowance may be spent at once, no more.
            nextFree = Math.max(nextFree, now - 250_000_000L) + bytes * 1_000_000_000L / bytesPerSecond;
            until = nextFree;
        }
        for (long wait = until - System.nanoTime(); wait > 0; wait = until - System.nanoTime()) {
            t.checkNotCancelled();
            long slice = Math.min(wait, SLICE_NANOS);
            try {
                Thread.sleep(slice / 1_000_000L, (int) (slice % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while rate limited");
            }
        }
        t.checkNotCancelled();
    }

    private static final long SLICE_NANOS = 100_000_000L;
}
