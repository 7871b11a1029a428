package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lifecycle's small rules, which the engine, the Camel steps and the web API share. */
class LifecycleRulesTest {

    @Test
    void theFirstRealFailureWinsOverTheCancelsItCausedWhateverTheirOrder() {
        FirstFailure<Throwable> first = new FirstFailure<>();
        assertNull(first.get());
        Throwable knockOn = new TransferFailedException("t", "cancelled", new CancelledException("t"));
        Throwable real = new TransferFailedException("t", "segment 2 failed", new IOException("reset"));
        Throwable later = new TransferFailedException("t", "segment 0 failed", new IOException("reset too"));
        first.offer(1, knockOn);
        first.offer(2, real);
        first.offer(0, later);
        first.offer(3, knockOn);
        assertSame(real, first.get());
        assertEquals(2, first.segment());
    }

    @Test
    void aSecondClaimWaitsForTheFirstAndATryIsRefusedMeanwhile() throws Exception {
        Claims claims = new Claims();
        assertFalse(claims.claim("t"), "free: claimed without waiting");
        assertFalse(claims.tryClaim("t"));
        CompletableFuture<Boolean> second = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                second.complete(claims.claim("t"));
            } catch (InterruptedException e) {
                second.completeExceptionally(e);
            }
        });
        waiter.start();
        // Released only once the second caller is parked on the first one's claim.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        claims.release("t");
        assertTrue(second.get(10, TimeUnit.SECONDS), "it waited for the first holder");
        assertFalse(claims.tryClaim("t"), "now the second holds it");
        claims.release("t");
        assertTrue(claims.tryClaim("t"));
    }

    @Test
    void aTimedTryWaitsForTheReleaseAndGivesUpAtItsDeadline() throws Exception {
        Claims claims = new Claims();
        assertTrue(claims.tryClaim("t"));
        assertFalse(claims.tryClaim("t", java.time.Duration.ofMillis(50)), "held throughout: refused at the deadline");
        CompletableFuture<Boolean> timed = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                timed.complete(claims.tryClaim("t", java.time.Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                timed.completeExceptionally(e);
            }
        });
        waiter.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        claims.release("t");
        assertTrue(timed.get(10, TimeUnit.SECONDS), "released while it waited: claimed");
        assertFalse(claims.tryClaim("t"), "the timed caller holds it now");
    }
}
