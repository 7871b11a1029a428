package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.ServerUnreachableException;
import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The retry terms of one step that talks to the server (a segment, planning, publishing), kept in one place.
 *
 * <p>A transient failure the server answered, or a cut connection, is an attempt: at most {@code maxAttempts} in a
 * row that moved nothing, 0.2 s doubling to 5 s between them, so a broken transfer fails in seconds. A server that
 * cannot be reached at all ({@link ServerUnreachableException}: refused, unreachable, connect timed out) is an
 * outage instead: it does not use up attempts, and it is waited out, 1 s doubling to 30 s between tries, for the
 * profile's {@code outageWait} from the first try that found it gone. A server restarted for an upgrade then costs a
 * pause, not a failed file. A login refused is an answer, never an outage.
 *
 * <p>Not thread safe: one per step and thread.
 */
final class Attempts {
    private static final long OUTAGE_FIRST_MS = 1_000;
    private static final long OUTAGE_MAX_MS = 30_000;

    private final int maxAttempts;
    private final long outageWaitNanos;
    private final LongSupplier nanoTime;
    private int fruitless;
    /** Tries in a row that found the server unreachable; 0 when the last failure was no outage. */
    private int outageTries;
    private long outageSince;

    Attempts(int maxAttempts, Duration outageWait) {
        this(maxAttempts, outageWait, System::nanoTime);
    }

    Attempts(int maxAttempts, Duration outageWait, LongSupplier nanoTime) {
        this.maxAttempts = maxAttempts;
        this.outageWaitNanos = outageWait.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Records a transient failure and returns the pause before the next try, or null when the step should give up
     * (then {@link #gaveUp} says why).
     *
     * @param progressed whether the try that failed left the transfer further on: the count starts again
     */
    Duration next(IOException e, boolean progressed) {
        if (e instanceof ServerUnreachableException && outageWaitNanos > 0) {
            long now = nanoTime.getAsLong();
            if (outageTries == 0) {
                outageSince = now;
            }
            outageTries++;
            return now - outageSince < outageWaitNanos ? outageBackoff(outageTries) : null;
        }
        outageTries = 0;
        fruitless = progressed ? 1 : fruitless + 1;
        return fruitless >= maxAttempts ? null : backoff(fruitless);
    }

    /** The number of the try that {@link #next}'s pause leads to: 2 after the first failure. */
    int nextTry() {
        return (outageTries > 0 ? outageTries : fruitless) + 1;
    }

    /**
     * How many tries the current terms allow in all: {@code maxAttempts}, or in an outage the tries whose pauses fit
     * into {@code outageWait} (a person reads "attempt 3 of 7" and knows how long it may go on).
     */
    int plannedTries() {
        if (outageTries == 0) {
            return maxAttempts;
        }
        long waited = 0;
        int tries = 1;
        while (waited < outageWaitNanos) {
            waited += outageBackoff(tries).toNanos();
            tries++;
        }
        return tries;
    }

    /** The failure to report after {@link #next} returned null. */
    FtpException gaveUp(IOException e) {
        String why = outageTries > 0
                ? outageSpent(Duration.ofNanos(nanoTime.getAsLong() - outageSince), Duration.ofNanos(outageWaitNanos))
                : "gave up after " + fruitless + " attempts in a row that moved nothing";
        return new FtpException(e.getMessage() + " (" + why + ")", 0, false, e);
    }

    /** Why a transfer stopped waiting for its server, in the same words on its thread and aside (ServerWaits). */
    static String outageSpent(Duration waited, Duration outageWait) {
        return "the server could not be reached for " + waited.toSeconds() + " s (outage-wait is "
                + outageWait.toSeconds() + " s)";
    }

    /** 0.2 s, 0.4 s, 0.8 s … capped at 5 s: quick after a single cut, gentle on a server that is down. */
    static Duration backoff(int attempt) {
        return Duration.ofMillis(Math.min(5_000, 200L << Math.min(10, Math.max(0, attempt - 1))));
    }

    /** 1 s, 2 s, 4 s … capped at 30 s: a server that is down is not hammered, and is found soon after it is back. */
    static Duration outageBackoff(int tries) {
        return Duration.ofMillis(Math.min(OUTAGE_MAX_MS, OUTAGE_FIRST_MS << Math.min(10, Math.max(0, tries - 1))));
    }
}
