package dev.ferry.transfer;

import dev.ferry.DaemonThreads;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.SessionPool;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a long upload in one stream while it runs. A second connection waits until the server's SIZE of the
 * temporary file has passed a range, asks the server's hash of that range ({@code XSHA256 path start end}) and
 * compares it with the local file's digest of the same bytes, computed meanwhile on a thread of its own. The server
 * then hashes while the stream goes on, instead of hashing the whole file after its last byte (most of a second per
 * GiB for proftpd's SHA-256), and only the last range is left when the stream ends.
 *
 * <p>Only a stream from byte 0 that ends in one piece is verified this way; without a spare connection under the
 * cap, after a cut (the next attempt resumes where SIZE says), or when the server stops answering range hashes,
 * publishing hashes the whole file as before.
 */
final class StreamCheck {
    private static final Logger LOG = LoggerFactory.getLogger(StreamCheck.class);
    /** The last range is what is left to hash after the stream (≈ 30 ms here); a GiB costs 32 commands. */
    static final long RANGE = 32L << 20;
    /** How often SIZE is asked once the sender has passed a range's end (the server lags by what the sockets hold). */
    private static final long POLL_MILLIS = 10;

    /** What publishing learns: all ranges matched, one did not, or the stream was not checked this way. */
    record Result(Status status, String detail) {
        enum Status { VERIFIED, MISMATCH, NOT_CHECKED }
    }

    private final SessionPool pool;
    private final LiveTransfer t;
    private final LiveSegment stream;
    private final String algorithm;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private volatile boolean ended;
    private volatile boolean abandoned;

    private StreamCheck(SessionPool pool, LiveTransfer t, LiveSegment stream, String algorithm) {
        this.pool = pool;
        this.t = t;
        this.stream = stream;
        this.algorithm = algorithm;
    }

    /**
     * Starts checking a stream that is about to send {@code t} from byte 0 on one connection, or returns null when
     * it would not pay: checksums off, no range hash on this server, a file of one range, or a name with white space
     * (proftpd's X* commands cannot quote one).
     */
    static StreamCheck start(SessionPool pool, LiveTransfer t, LiveSegment stream) {
        String algorithm = t.options.verifyChecksum() ? t.capabilities.bestHash() : null;
        if (algorithm == null || !t.capabilities.rangeHash() || t.size <= RANGE
                || t.remoteWork.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        StreamCheck check = new StreamCheck(pool, t, stream, algorithm);
        DaemonThreads.named("ferry-stream-check").newThread(check::run).start();
        return check;
    }

    /** The stream got the server's 226: every byte is there. */
    void ended() {
        ended = true;
    }

    /** The stream failed; a later attempt is verified by publishing, as a whole. */
    void abandon() {
        abandoned = true;
    }

    /** Waits for the last range once the stream has ended (or for the check to give up after a failure). */
    Result await() throws IOException {
        return Hashing.join(result);
    }

    private void run() {
        FtpSession session = null;
        try {
            session = pool.tryBorrow(t.profile);
            if (session == null) {
                finish(Result.Status.NOT_CHECKED, "no spare connection");
                return;
            }
            int ranges = 0;
            for (long from = 0; from < t.size; from += RANGE) {
                long to = Math.min(t.size, from + RANGE);
                if (!awaitWritten(session, to)) {
                    finish(Result.Status.NOT_CHECKED, "the stream did not end in one piece");
                    return;
                }
                CompletableFuture<String> local = Hashing.start(t.workFile, algorithm, from, to);
                String server = session.hashRange(t.remoteWork, algorithm, from, to);
                if (server == null) {
                    local.cancel(true);
                    finish(Result.Status.NOT_CHECKED, "no range hash for " + t.remoteWork);
                    return;
                }
                String sent = Hashing.join(local);
                if (!server.equals(sent)) {
                    finish(Result.Status.MISMATCH, "bytes " + from + "-" + to + ": server " + algorithm + " " + server
                            + ", local " + sent);
                    return;
                }
                ranges++;
            }
            finish(Result.Status.VERIFIED, algorithm + " of each of " + ranges + " ranges from the server, as it"
                    + " streamed");
        } catch (IOException | RuntimeException e) {
            finish(Result.Status.NOT_CHECKED, e.getMessage());
        } finally {
            if (session != null) {
                pool.release(session);
            }
        }
    }

    /** True once the server's copy is at least {@code to} bytes long; false when the stream failed first. */
    private boolean awaitWritten(FtpSession session, long to) throws IOException {
        while (!abandoned && !t.cancelled()) {
            // The sender's position runs ahead of the server's file by what the sockets hold: SIZE decides.
            if (ended || stream.offset() >= to) {
                long there;
                try {
                    there = session.size(t.remoteWork);
                } catch (RemoteNotFoundException e) {
                    there = 0;
                }
                if (there >= to) {
                    return true;
                }
                if (ended) {
                    return false;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private void finish(Result.Status status, String detail) {
        if (status == Result.Status.NOT_CHECKED) {
            LOG.debug("{}: not verified while streaming ({}); publishing hashes the whole file", t.id(), detail);
        }
        result.complete(new Result(status, detail));
    }
}
