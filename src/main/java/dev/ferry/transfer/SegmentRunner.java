package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.ServerUnreachableException;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.Direction;
import dev.ferry.progress.TransferListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * The "transfer segment" step: moves one segment with retries, then keeps its connection busy by stealing
 * half of the largest remaining segment until nothing is worth stealing.
 *
 * <p>A retry follows any transient failure (a cut or stalled connection, a 4xx reply) after a growing pause; a
 * segment fails only after {@code maxAttempts} tries in a row that moved no byte, or on a permanent error, or when
 * the server stays unreachable longer than its outage wait ({@link Attempts}).
 */
final class SegmentRunner {
    private static final long MIN_STEAL = 1L << 20;
    private final SessionPool pool;
    private final TransferListener listener;
    private final SegmentMover download;
    private final SegmentMover upload;

    SegmentRunner(SessionPool pool, TransferListener listener, UploadMover upload) {
        this.pool = pool;
        this.listener = listener;
        this.download = new DownloadMover(listener);
        this.upload = upload;
    }

    void run(LiveTransfer t, int index) throws IOException {
        run(t, t.segment(index), null, null);
    }

    /**
     * Moves {@code first}, then what it steals, on {@code session} (null: one from the pool). A {@code lane} of an
     * adaptive transfer learns its segment, so it can be retired: it then ends after that segment, and closes its
     * connection, since the server counts an idle one too.
     */
    void run(LiveTransfer t, LiveSegment first, FtpSession session, AdaptiveLanes.Lane lane) throws IOException {
        try {
            LiveSegment s = first;
            while (s != null) {
                if (lane != null) {
                    lane.current = s;
                }
                // runOne owns the session it is given: it returns it, or releases it before it throws.
                FtpSession given = session;
                session = null;
                long from = s.offset();
                long began = System.nanoTime();
                // A lane's bet: an added lane's segment, or one a planned lane took after its own.
                boolean bet = lane != null && (lane.added || s != first);
                try {
                    session = runOne(t, s, given, bet);
                } catch (LaneRefused refused) {
                    // Each lane of an adaptive transfer is a bet on the server serving one more data connection:
                    // where it will not (vsftpd, out of passive ports, ends the session with "500 OOPS"), the lane
                    // ends and the segment goes back whole to the others, no failure: the transfer fails only when
                    // the segment's last lane does. Never a planned segment's own run (not a bet): its exchange in
                    // the Camel split must not end as if that segment were done.
                    if (t.cancelled() || !t.giveBack(s)) {
                        listener.segmentFailed(t, s.index, refused.reply);
                        throw refused.reply;
                    }
                    listener.segmentGivenBack(t, s.index, refused.reply);
                    lane.refused = refused.reply;
                    return;
                }
                long took = System.nanoTime() - began;
                double rate = took > 300_000_000L ? (s.end() - from) * 1e9 / took : -1;
                if (lane != null && lane.retired) {
                    // Its rest is left to the others (or AdaptiveLanes' last look): taking it here would keep it on.
                    s = null;
                } else {
                    s = stealable(t) ? t.steal(MIN_STEAL, rate) : null;
                }
            }
        } finally {
            if (session != null && lane != null && lane.retired) {
                pool.discard(session);
            } else if (session != null) {
                pool.release(session);
            }
        }
    }

    static boolean stealable(LiveTransfer t) {
        return t.direction() == Direction.DOWNLOAD || t.strategy == UploadStrategy.PARALLEL;
    }

    /** @param bet whether a refusal by the server ends this run at once (see {@link #run}) instead of a retry */
    private FtpSession runOne(LiveTransfer t, LiveSegment s, FtpSession reuse, boolean bet) throws IOException {
        if (s.done()) {
            return reuse;
        }
        SegmentMover mover = t.direction() == Direction.DOWNLOAD ? download : upload;
        FtpSession session = reuse;
        long movedBefore = t.bytesMoved();
        Attempts attempts = new Attempts(t.options.maxAttempts(), t.profile.outageWait());
        listener.segmentStart(t, s.index, s.offset(), s.end());
        while (true) {
            long offsetBefore = s.offset();
            long confirmedBefore = s.confirmed();
            try {
                t.checkNotCancelled();
                if (session == null) {
                    session = pool.borrow(t.profile);
                }
                s.startRun();
                mover.move(session, t, s);
                listener.segmentEnd(t, s.index, t.bytesMoved() - movedBefore);
                return session;
            } catch (IOException e) {
                if (session != null && session.isBroken()) {
                    pool.discard(session);
                    session = null;
                }
                if (t.cancelled()) {
                    failed(t, s, new CancelledException(t.id()), session, bet);
                }
                // A bet ends at a 5xx the server says at once, even vsftpd's transient "500 OOPS".
                if (!isTransient(e) || (bet && e instanceof FtpException f && f.replyCode() >= 500)) {
                    failed(t, s, e, session, bet);
                }
                if (t.stepAside != null && e instanceof ServerUnreachableException away) {
                    // The whole transfer waits for its server off this thread; its next run resumes this segment.
                    failed(t, s, t.stepAside.instead(away), session, false);
                }
                Duration delay = attempts.next(e, !(e instanceof TrickleWatch.Stalled)
                        && progressed(t, s, offsetBefore, confirmedBefore));
                if (delay == null) {
                    failed(t, s, attempts.gaveUp(e), session, bet);
                }
                t.retried();
                listener.retry(t, s.index, e, delay);
                pause(t, delay);
            } catch (RuntimeException | Error e) {
                // Not a failed transfer but a failed step (a ledger write, a bug): the session may be in the middle
                // of a command, so it is closed, never pooled, and the failure goes up as it is.
                if (session != null) {
                    pool.discard(session);
                }
                // The segment ends here too: every segmentStart gets its segmentEnd or segmentFailed.
                listener.segmentFailed(t, s.index, e);
                throw e;
            }
        }
    }

    /**
     * Whether the attempt that just failed leaves the transfer further on. Where the server's SIZE is asked at the
     * start of each attempt (sequential uploads), what counts is that it grew since the attempt before: on a cut,
     * what was written into the socket runs ahead of what the server kept, and could look like no progress at all
     * (the next attempt starts lower) or like progress where there was none. An upload that starts over each time
     * (RESTART) keeps nothing of an attempt that broke: however far it got, it did not progress (a link or a full disk
     * that cut it at varying points kept it retrying for ever).
     */
    private static boolean progressed(LiveTransfer t, LiveSegment s, long offsetBefore, long confirmedBefore) {
        if (t.direction() == Direction.UPLOAD && t.strategy == UploadStrategy.RESTART) {
            return false;
        }
        long confirmedNow = s.confirmed();
        if (confirmedNow >= 0 && confirmedBefore >= 0) {
            return confirmedNow > confirmedBefore;
        }
        return s.offset() > offsetBefore;
    }

    /** Ends the segment's run with {@code e}; a bet's refusal by the server goes to {@link #run} unreported. */
    private void failed(LiveTransfer t, LiveSegment s, IOException e, FtpSession session, boolean bet)
            throws IOException {
        if (session != null) {
            pool.release(session);
        }
        if (bet && e instanceof FtpException f) {
            throw new LaneRefused(f);
        }
        listener.segmentFailed(t, s.index, e);
        throw e;
    }

    /** A lane's bet refused by the server (see {@link #run}); its segment's end event is {@link #run}'s to send. */
    private static final class LaneRefused extends IOException {
        final FtpException reply;

        LaneRefused(FtpException reply) {
            super(reply.getMessage(), reply);
            this.reply = reply;
        }
    }

    static boolean isTransient(IOException e) {
        if (e instanceof FtpException f) {
            return f.isTransient();
        }
        return !(e instanceof LocalFileException || e instanceof SourceChangedException
                || e instanceof CancelledException || e instanceof InterruptedIOException);
    }

    private static void pause(LiveTransfer t, Duration delay) throws IOException {
        long until = System.nanoTime() + delay.toNanos();
        try {
            while (!t.cancelled() && System.nanoTime() < until) {
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted between retries of " + t.id());
        }
        t.checkNotCancelled();
    }
}
