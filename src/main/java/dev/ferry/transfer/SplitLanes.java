package dev.ferry.transfer;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The adaptive lanes of a transfer whose planned segments are run one by one by someone else (the Camel split in
 * routes/segment-pipeline.yaml, one exchange per planned segment): the plan gives the starting width, {@link
 * AdaptiveLanes} adds and retires connections beside them. Each planned segment holds a place among the lanes' futures
 * until it ends, so steering sees them as {@link TransferEngine#runSegments} does; the last planned segment to end
 * waits for the lanes added meanwhile and reports their failure, so the split's end (and the publish after it) comes
 * only after every byte is down.
 */
final class SplitLanes {
    /** Runs one planned segment as a lane. */
    interface Planned {
        void run(AdaptiveLanes lanes, int index) throws TransferFailedException;
    }

    private final LiveTransfer t;
    private final AdaptiveLanes lanes;
    private final List<Future<?>> futures;
    private final java.util.Queue<CompletableFuture<Void>> places = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicInteger plannedLeft;
    private final Future<?> steering;
    /** Records the end of a transfer interrupted while waiting (the engine's failure path). */
    private final java.util.function.Function<Exception, TransferFailedException> cancelled;

    /**
     * @param planned how many planned segments will arrive: the plan's unfinished ones (the finished ones the split's
     *                idempotent consumer skips)
     */
    SplitLanes(LiveTransfer t, int planned, java.util.function.Function<List<Future<?>>, AdaptiveLanes> lanesOver,
               java.util.concurrent.ExecutorService threads,
               java.util.function.Function<Exception, TransferFailedException> cancelled) {
        this.t = t;
        this.cancelled = cancelled;
        this.futures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < planned; i++) {
            CompletableFuture<Void> place = new CompletableFuture<>();
            places.add(place);
            futures.add(place);
        }
        this.plannedLeft = new AtomicInteger(planned);
        this.lanes = lanesOver.apply(futures);
        this.steering = threads.submit(lanes::steer);
    }

    /** One planned segment; the last to end also waits for the added lanes. */
    void run(int index, Planned body) throws TransferFailedException {
        TransferFailedException own = null;
        try {
            body.run(lanes, index);
        } catch (TransferFailedException e) {
            own = e;
            // Stopped by another lane's failure, this segment reports a cancel; the split's end then filed a failed
            // upload drop as cancelled by a person (.cancelled/, no reason). The recorded failure is the reason.
            TransferFailedException first = t.firstFailure();
            throw first != null && FirstFailure.isCancel(e) && !FirstFailure.isCancel(first) ? first : e;
        } finally {
            CompletableFuture<Void> place = places.poll();
            if (place != null) {
                place.complete(null);
            }
            if (plannedLeft.decrementAndGet() == 0) {
                if (own == null) {
                    awaitAdded();
                } else {
                    // The failure already cancelled the transfer; its added lanes stop at their next buffer. Waiting
                    // for them keeps a late checkpoint of theirs from landing after a restart's new plan.
                    awaitQuietly();
                }
            }
        }
    }

    /**
     * The split's end, whatever happened: a planned segment that never reached {@link #run} (its exchange failed
     * before, e.g. in the idempotent consumer) still holds a place, so no lane waited for the added ones. On a
     * failure they are cancelled; either way they have ended when this returns, and steering has stopped.
     */
    void settle(boolean failed) {
        if (failed) {
            t.cancel();
        }
        for (CompletableFuture<Void> place; (place = places.poll()) != null; ) {
            place.complete(null);
        }
        awaitQuietly();
    }

    private void awaitQuietly() {
        try {
            awaitAdded();
        } catch (TransferFailedException e) {
            // Their failure is the transfer's, recorded where it happened; the caller reports its own.
        }
    }

    /** True once every lane, planned and added, has ended. */
    boolean ended() {
        return plannedLeft.get() <= 0 && steering.isDone();
    }

    private void awaitAdded() throws TransferFailedException {
        try {
            steering.get();
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.cancel();
            throw cancelled.apply(new CancelledException(t.id()));
        } catch (ExecutionException e) {
            if (t.firstFailure() != null) {
                throw t.firstFailure();
            }
            if (e.getCause() instanceof TransferFailedException tf) {
                throw tf;
            }
            throw new TransferFailedException(t.id(), "an added connection of " + t.id() + " failed: " + e.getCause(),
                    e.getCause());
        }
    }
}
