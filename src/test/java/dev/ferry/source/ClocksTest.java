package dev.ferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A /proc pass compares the wall clock with the monotonic one to notice a step of the wall clock. A thread
 * descheduled between reading the two must not look like such a step, or every file asks for a pass of its own.
 */
class ClocksTest {
    private static final long MS = 1_000_000L;
    /** Wall minus monotonic time of the simulated machine. */
    private static final long OFFSET = 1_700_000_000_000L * MS;

    @Test
    void aReadingInterruptedByTheSchedulerIsTakenAgainAndGivesTheTrueOffset() {
        // monotonic before, (wall), monotonic after: the first try lost 40 ms between the wall and its after
        Deque<Long> monotonic = new ArrayDeque<>(List.of(100 * MS, 140 * MS, 150 * MS, 150 * MS + 20_000));
        Deque<Instant> wall = new ArrayDeque<>(List.of(at(100 * MS), at(150 * MS + 10_000)));

        Clocks c = Clocks.read(monotonic::pop, wall::pop);

        assertEquals(OFFSET, c.offsetNanos());
        assertEquals(150 * MS + 10_000, c.nanos());
    }

    @Test
    void whenEveryTryIsInterruptedTheTightestIsKept() {
        Deque<Long> monotonic = new ArrayDeque<>(List.of(0L, 30 * MS, 40 * MS, 44 * MS, 50 * MS, 90 * MS, 100 * MS,
                160 * MS));
        Deque<Instant> wall = new ArrayDeque<>(List.of(at(1 * MS), at(42 * MS), at(51 * MS), at(101 * MS)));

        Clocks c = Clocks.read(monotonic::pop, wall::pop);

        assertEquals(42 * MS, c.nanos());
        assertEquals(OFFSET, c.offsetNanos());
    }

    private static Instant at(long monotonicNanos) {
        long epoch = OFFSET + monotonicNanos;
        return Instant.ofEpochSecond(epoch / 1_000_000_000L, epoch % 1_000_000_000L);
    }
}
