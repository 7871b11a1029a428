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

    void acquire(int bytes) throws InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            // Up to a quarter second of unused allowance may be spent at once, no more.
            nextFree = Math.max(nextFree, now - 250_000_000L) + bytes * 1_000_000_000L / bytesPerSecond;
            wait = nextFree - now;
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while rate limited");
            }
        }
    }
}
