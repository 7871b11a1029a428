package dev.ferry.transfer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Which transfers a caller in this process is working on now (a Camel exchange, a web API start), so a second
 * request for the same transfer waits for the first, or is refused, instead of running it twice. The one claim map of
 * the process; across nodes the ledger's leases do the same ({@link dev.ferry.ledger.Leases}).
 */
public final class Claims {
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

    /**
     * Claims a transfer. Returns false at once when it was free; otherwise waits until the holder releases it, claims
     * it, and returns true (the caller then checks whether it was already published meanwhile).
     */
    public boolean claim(String transferId) throws InterruptedException {
        boolean waited = false;
        while (true) {
            CountDownLatch mine = new CountDownLatch(1);
            CountDownLatch other = held.putIfAbsent(transferId, mine);
            if (other == null) {
                return waited;
            }
            waited = true;
            other.await();
        }
    }

    /** Claims a transfer only if nobody holds it: true if claimed. */
    public boolean tryClaim(String transferId) {
        return held.putIfAbsent(transferId, new CountDownLatch(1)) == null;
    }

    /** Claims a transfer, waiting up to {@code wait} for its holder to release it: true if claimed. */
    public boolean tryClaim(String transferId, java.time.Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CountDownLatch other = held.putIfAbsent(transferId, new CountDownLatch(1));
            if (other == null) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !other.await(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
    }

    public void release(String transferId) {
        CountDownLatch latch = held.remove(transferId);
        if (latch != null) {
            latch.countDown();
        }
    }
}
