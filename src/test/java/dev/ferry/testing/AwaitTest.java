package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void returnsOnceTheConditionHolds() {
        AtomicInteger polls = new AtomicInteger();

        Await.until(Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3, () -> "never reached 3");

        assertTrue(polls.get() >= 3);
    }

    @Test
    void failsWithTheDescriptionAfterTheTimeout() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.until(Duration.ofMillis(100), () -> false, () -> "the state at failure"));

        assertTrue(failure.getMessage().contains("the state at failure"), failure.getMessage());
    }
}
