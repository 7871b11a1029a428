package dev.ferry.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a whole step (planning, publishing) that talks to the server, on the same terms as a segment
 * ({@link Attempts}): transient failures after a growing pause, at most {@code maxAttempts} tries, an unreachable
 * server waited for up to {@code outageWait}. The step must be safe to repeat.
 */
final class Retries {
    private static final Logger LOG = LoggerFactory.getLogger(Retries.class);

    private Retries() {
    }

    static <T> T call(String transferId, String step, int maxAttempts, Duration outageWait, OnRetry onRetry,
                      Step<T> body) throws IOException {
        return call(transferId, step, maxAttempts, outageWait, onRetry, null, body);
    }

    /**
     * As above; with {@code stepAside} given, a server that cannot be reached at all is not waited for here: its
     * answer is thrown instead (the transfer waits in {@link ServerWaits}, holding no thread).
     */
    static <T> T call(String transferId, String step, int maxAttempts, Duration outageWait, OnRetry onRetry,
                      StepAside stepAside, Step<T> body) throws IOException {
        Attempts attempts = new Attempts(maxAttempts, outageWait);
        while (true) {
            try {
                return body.run();
            } catch (IOException e) {
                if (!SegmentRunner.isTransient(e)) {
                    throw e;
                }
                if (stepAside != null && e instanceof dev.ferry.ftp.ServerUnreachableException away) {
                    throw stepAside.instead(away);
                }
                Duration delay = attempts.next(e, false);
                if (delay == null) {
                    throw e instanceof dev.ferry.ftp.ServerUnreachableException ? attempts.gaveUp(e) : e;
                }
                LOG.warn("{} {} failed, retry in {} ms: {}", transferId, step, delay.toMillis(), e.getMessage());
                onRetry.retrying(e, delay, attempts.nextTry(), attempts.plannedTries());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while " + step + " " + transferId);
                }
            }
        }
    }

    /** Told before each pause, so a person hears at once that (and why) a step is being tried again. */
    @FunctionalInterface
    interface OnRetry {
        void retrying(IOException cause, Duration delay, int nextTry, int plannedTries);
    }

    /** What to throw instead of waiting for a server that cannot be reached (see {@link ServerWaits}). */
    @FunctionalInterface
    interface StepAside {
        IOException instead(dev.ferry.ftp.ServerUnreachableException e);
    }

    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }
}
