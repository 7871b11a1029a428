package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import java.time.Duration;

/**
 * A download's data connection that a server keeps alive with a byte now and then: every read returns within the data
 * timeout, so none times out, and a server trickling a byte a second held a download for ever (a 2 MB file: 23 days;
 * a hostile review). The time a segment spends waiting in its reads is summed; once it reaches the data timeout, fewer
 * than {@link #MIN_BYTES} bytes in that time is a stall. Time spent in the transfer's own rate limit is not counted,
 * so a low {@code rateLimit} is never taken for one.
 */
final class TrickleWatch {
    /** Bytes a data connection must bring per data timeout of waiting (30 s by default: 34 bytes a second). */
    static final int MIN_BYTES = 1024;
    private final long windowNanos;
    private long waited;
    private long got;

    TrickleWatch(Duration dataTimeout) {
        this.windowNanos = dataTimeout.toNanos();
    }

    /**
     * After a read that waited {@code nanos} and brought {@code n} bytes (negative at the end of the stream).
     *
     * @throws Stalled when the reads of a whole window brought less than {@link #MIN_BYTES}
     */
    void read(long nanos, int n, LiveTransfer t, long pos) throws Stalled {
        waited += nanos;
        got += Math.max(0, n);
        if (waited < windowNanos) {
            return;
        }
        if (got < MIN_BYTES) {
            throw new Stalled("the server sent only " + got + " bytes of " + t.remotePath() + " in "
                    + Duration.ofNanos(waited).toSeconds() + " s of waiting (at byte " + pos + "): its data connection"
                    + " stalls");
        }
        waited = 0;
        got = 0;
    }

    /**
     * A stalled data connection: transient (a new connection may flow), but not progress, whatever it trickled, so a
     * server that only trickles uses up the segment's attempts and fails instead of being retried for ever.
     */
    static final class Stalled extends FtpException {
        Stalled(String message) {
            super(message, 0, true);
        }
    }
}
