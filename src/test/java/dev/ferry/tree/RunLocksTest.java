package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A review of a service run for long: one lock object per tree id ever run stayed for the life of the process. */
class RunLocksTest {
    @Test
    void oneRunAtATimePerKeyAndNothingKeptAfter() throws Exception {
        RunLocks locks = new RunLocks();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Future<?>[] runs = new Future<?>[40];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = pool.submit(() -> locks.with("tree-a", () -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                    inside.decrementAndGet();
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, most.get(), "two runs of one tree at once");
        assertEquals(0, locks.size(), "a lock kept after every run ended");
    }

    @Test
    void otherKeysDoNotWaitAndAFailureLetsGo() throws Exception {
        RunLocks locks = new RunLocks();
        CountDownLatch aHeld = new CountDownLatch(1);
        CountDownLatch bRan = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> inA = new java.util.concurrent.atomic.AtomicReference<>();
        Thread a = new Thread(() -> {
            try {
                locks.with("tree-a", () -> {
                    aHeld.countDown();
                    try {
                        assertTrue(bRan.await(10, TimeUnit.SECONDS), "tree-b waited for tree-a");
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return null;
                });
            } catch (IOException | RuntimeException | AssertionError e) {
                inA.set(e);
            }
        });
        a.start();
        assertTrue(aHeld.await(10, TimeUnit.SECONDS));
        locks.with("tree-b", () -> {
            bRan.countDown();
            return null;
        });
        a.join(10_000);
        assertEquals(null, inA.get(), "tree-b waited for tree-a's run");
        assertThrows(IOException.class, () -> locks.with("tree-c", () -> {
            throw new IOException("the run failed");
        }));
        assertEquals(0, locks.size());
    }
}
