package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ftp.TooManyConnectionsException;
import dev.ferry.progress.Units;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections ("lanes") of one transfer whose width is not fixed by the user: {@link AdaptiveWidth} decides, this
 * opens and retires lanes. A new lane is work stealing begun early: it takes the larger part of the largest remaining
 * segment, as a connection that finished its own would. A retired lane stops a few reads on and leaves the rest of
 * its segment to the next connection looking for work ({@link LiveTransfer#retire}). A server that refuses the new
 * connection (421, or the pool's cap for it is taken) only ends the growth: the pool lowers and remembers its cap for
 * that server; the user sees nothing.
 */
final class AdaptiveLanes {
    private static final Logger LOG = LoggerFactory.getLogger(AdaptiveLanes.class);
    private static final long TICK_MILLIS = 100;
    /** Less than this left for a new lane is not worth its login and first RETR. */
    private static final long MIN_NEW_LANE = 1L << 20;
    /** A lane retired with less than this left simply finishes its segment. */
    private static final long MIN_RETIRED_REST = 1L << 20;
    /** Seconds of work left, at the present rate, below which no lane is added: it would end as it starts. */
    private static final double MIN_SECONDS_LEFT = 1.5;
    /** Share of the request's rate limit at which the transfer counts as moving at that limit. */
    private static final double RATE_LIMIT_REACHED = 0.9;

    /** One connection of the transfer: which segment it moves, and whether it is to end. */
    static final class Lane {
        /** Opened by the controller beyond the plan: the transfer does not depend on it. */
        final boolean added;
        volatile LiveSegment current;
        volatile boolean retired;
        volatile boolean open;
        /** Why the server would not serve this lane a segment; that segment went back to the others. */
        volatile IOException refused;

        Lane(boolean added) {
            this.added = added;
        }
    }

    /** Runs a lane to its end: the engine's segment step, with its failure handling. */
    interface Body {
        void run(LiveSegment first, FtpSession session, Lane lane) throws TransferFailedException;
    }

    private final LiveTransfer t;
    private final SessionPool pool;
    private final AdaptiveWidth width;
    private final Body body;
    private final ExecutorService threads;
    private final List<Future<?>> futures;
    /** Oldest first: the newest are retired first, as the ones that did not pay. */
    private final ConcurrentLinkedDeque<Lane> lanes = new ConcurrentLinkedDeque<>();
    /** True once nobody waits for the lanes any more (the transfer ended elsewhere): steering stops. */
    private volatile java.util.function.BooleanSupplier over = () -> false;

    AdaptiveLanes(LiveTransfer t, SessionPool pool, AdaptiveWidth width, Body body, ExecutorService threads,
                  List<Future<?>> futures) {
        this.t = t;
        this.pool = pool;
        this.width = width;
        this.body = body;
        this.threads = threads;
        this.futures = futures;
    }

    /** Steering also stops once {@code over} says so, for lanes whose planned segments run on threads not ours. */
    AdaptiveLanes until(java.util.function.BooleanSupplier over) {
        this.over = over;
        return this;
    }

    /** Adaptive unless the request fixed its segment count, and only where segments can be split while they run. */
    static boolean applies(LiveTransfer t, int segmentsToRun) {
        return segmentsToRun > 1 && t.request.options().segments() == null && SegmentRunner.stealable(t);
    }

    /** A lane for a planned segment. Counted as open once it has its connection (a full server makes it wait). */
    void runPlanned(int index) throws TransferFailedException {
        Lane lane = new Lane(false);
        lanes.add(lane);
        FtpSession session = null;
        try {
            try {
                session = pool.borrow(t.profile);
            } catch (IOException e) {
                // The segment step borrows again, with its retries and its way of reporting a failure.
            }
            lane.open = true;
            body.run(t.segment(index), session, lane);
        } finally {
            lane.open = false;
            lanes.remove(lane);
        }
        heedRefusal(lane);
    }

    /**
     * Samples the transfer's rate every tick and opens or retires lanes as the controller says, until every lane,
     * planned or added, has ended. Returns early, with the thread's interrupt flag set, when interrupted.
     */
    void steer() {
        try {
            while ((!allDone() || rescued()) && !over.getAsBoolean()) {
                Thread.sleep(TICK_MILLIS);
                if (t.cancelled()) {
                    continue;
                }
                int change = width.sample(System.nanoTime(), t.bytesMoved(), openLanes());
                if (change > 0 && atRateLimit()) {
                    // The transfer already moves at the rate the request allows: more connections cannot raise it.
                    width.atLimit(openLanes());
                    change = 0;
                }
                if (change > 0) {
                    LOG.info("{} at {} on {} connection(s): trying {} more connection(s)", t.id(),
                            Units.rate(width.lastRate()), openLanes(), change);
                }
                if (change > 0) {
                    for (int i = 0; i < change; i++) {
                        if (worthANewLane()) {
                            futures.add(threads.submit(() -> {
                                runAdded();
                                return null;
                            }));
                        } else {
                            width.notOpened();
                        }
                    }
                } else if (change < 0) {
                    retire(-change);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A retired lane's rest that no lane took, because every other had ended before it was split off: one more lane
     * for it. True when one was started.
     */
    private boolean rescued() {
        LiveSegment rest = t.cancelled() ? null : t.takeUnclaimed();
        if (rest == null) {
            return false;
        }
        futures.add(threads.submit(() -> {
            Lane lane = new Lane(false);
            lane.open = true;
            lanes.add(lane);
            try {
                body.run(rest, null, lane);
            } finally {
                lane.open = false;
                lanes.remove(lane);
            }
            return null;
        }));
        return true;
    }

    private boolean allDone() {
        for (Future<?> f : futures) {
            if (!f.isDone()) {
                return false;
            }
        }
        return true;
    }

    private int openLanes() {
        int n = 0;
        for (Lane lane : lanes) {
            if (lane.open && !lane.retired) {
                n++;
            }
        }
        return n;
    }

    private boolean atRateLimit() {
        long limit = t.options.rateLimit();
        return limit > 0 && width.lastRate() >= RATE_LIMIT_REACHED * limit;
    }

    private boolean worthANewLane() {
        double rate = t.rate();
        long left = t.size() - t.bytesDone();
        return left >= 2 * MIN_NEW_LANE && (rate <= 0 || left / rate >= MIN_SECONDS_LEFT);
    }

    private void runAdded() throws TransferFailedException {
        FtpSession session;
        try {
            session = pool.borrowIfRoom(t.profile);
        } catch (TooManyConnectionsException e) {
            LOG.debug("{}: server {} refused one more connection; staying at {}", t.id(), t.server(), openLanes());
            width.atLimit(openLanes());
            return;
        } catch (IOException e) {
            LOG.debug("{}: no added connection to {}: {}", t.id(), t.server(), e.getMessage());
            width.notOpened();
            return;
        }
        if (session == null) {
            width.atLimit(openLanes());
            return;
        }
        // At the rate of a lane now, so it is judged like a connection that finished its segment: it takes a fair
        // share of the largest remainder (a segment another added lane has just taken, with no rate yet, is not
        // taken for an endless one).
        LiveSegment first = t.steal(MIN_NEW_LANE, rateOfALane());
        if (first == null) {
            pool.release(session);
            width.notOpened();
            return;
        }
        Lane lane = new Lane(true);
        lane.open = true;
        lanes.add(lane);
        try {
            body.run(first, session, lane);
        } finally {
            lane.open = false;
            lanes.remove(lane);
        }
        heedRefusal(lane);
    }

    /**
     * A lane that ended because the server would not serve its data connection: vsftpd, out of passive ports, ends
     * such a session with "500 OOPS" whatever its login limit says, so the server serves no more than are open now.
     */
    private void heedRefusal(Lane lane) {
        if (lane.refused != null) {
            LOG.info("{}: server {} would not serve one more connection ({}); going on with {}", t.id(), t.server(),
                    lane.refused.getMessage(), openLanes());
            width.atLimit(openLanes());
        }
    }

    private double rateOfALane() {
        double sum = 0;
        int n = 0;
        for (Lane lane : lanes) {
            LiveSegment s = lane.current;
            double rate = s == null || !lane.open ? -1 : s.rate();
            if (rate > 0) {
                sum += rate;
                n++;
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    private void retire(int n) {
        Iterator<Lane> newestFirst = lanes.descendingIterator();
        int retired = 0;
        while (retired < n && newestFirst.hasNext()) {
            Lane lane = newestFirst.next();
            if (!lane.open || lane.retired) {
                continue;
            }
            lane.retired = true;
            LiveSegment s = lane.current;
            if (s != null) {
                t.retire(s, MIN_RETIRED_REST);
            }
            retired++;
        }
        LOG.info("{} at {}: retiring {} connection(s) that did not raise the rate", t.id(),
                Units.rate(width.lastRate()), retired);
    }
}
