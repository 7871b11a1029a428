package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.ServerUnreachableException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The retry terms on a simulated clock: an unreachable server is waited for; anything it answers is an attempt. */
class AttemptsTest {
    private final AtomicLong now = new AtomicLong();
    private final IOException down = new ServerUnreachableException("cannot reach x: Connection refused",
            new ConnectException("Connection refused"));
    private final IOException cut = new FtpException("connection reset", 0, true);

    @Test
    void anOutageIsWaitedOutWithBackoffAndUsesNoAttempts() {
        Attempts a = new Attempts(3, Duration.ofSeconds(600), now::get);
        assertEquals(Duration.ofMillis(200), a.next(cut, true));
        long[] expected = {1, 2, 4, 8, 16, 30, 30, 30};
        for (long seconds : expected) {
            Duration d = a.next(down, false);
            assertEquals(Duration.ofSeconds(seconds), d);
            now.addAndGet(d.toNanos());
        }
        // Back: the attempts in a row are counted on from where they were, not used up by the outage.
        assertEquals(Duration.ofMillis(400), a.next(cut, false));
        assertNull(a.next(cut, false), "the third attempt in a row without progress is the last");
        assertTrue(a.gaveUp(cut).getMessage().contains("gave up after 3 attempts"));
    }

    @Test
    void anOutageLongerThanTheWaitFailsNamingIt() {
        Attempts a = new Attempts(8, Duration.ofSeconds(60), now::get);
        Duration d;
        while ((d = a.next(down, false)) != null) {
            now.addAndGet(d.toNanos());
        }
        assertTrue(now.get() >= Duration.ofSeconds(60).toNanos(), "waited the whole minute: " + now.get());
        FtpException e = a.gaveUp(down);
        assertTrue(e.getMessage().contains("could not be reached for 61 s (outage-wait is 60 s)"), e.getMessage());
        assertTrue(!e.isTransient(), "final");
    }

    @Test
    void withoutAnOutageWaitAnUnreachableServerIsOneMoreAttempt() {
        Attempts a = new Attempts(2, Duration.ZERO, now::get);
        assertEquals(Duration.ofMillis(200), a.next(down, false));
        assertNull(a.next(down, false));
    }

    /** What a person is told before each pause: the number of the next try, of how many the terms allow. */
    @Test
    void triesAreNumberedAgainstWhatTheTermsAllow() {
        Attempts a = new Attempts(8, Duration.ofSeconds(60), now::get);
        a.next(cut, false);
        assertEquals(2, a.nextTry());
        assertEquals(8, a.plannedTries());
        Attempts b = new Attempts(8, Duration.ofSeconds(60), now::get);
        int tries = 1;
        Duration d;
        while ((d = b.next(down, false)) != null) {
            tries++;
            assertEquals(tries, b.nextTry());
            // Pauses of 1, 2, 4, 8, 16, 30 s fit into a minute: 7 tries in all, as the outage then runs.
            assertEquals(7, b.plannedTries());
            now.addAndGet(d.toNanos());
        }
        assertEquals(7, tries);
    }
}
