package dev.ferry.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something observable instead of sleeping a guessed time: a fixed sleep is either too short on
 * a loaded CI machine (flaky) or too long everywhere else (slow).
 */
public final class Await {

    static final Duration POLL = Duration.ofMillis(20);

    private Await() {
    }

    /**
     * Polls {@code condition} every 20 ms until it holds; otherwise fails after {@code timeout} with an
     * {@link AssertionError} whose message is {@code whatFailed} (evaluated only then, so it can describe
     * the state at the moment of failure).
     */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> whatFailed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("Not true after " + timeout.toMillis() + " ms: " + whatFailed.get());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for: " + whatFailed.get(), e);
            }
        }
    }
}
