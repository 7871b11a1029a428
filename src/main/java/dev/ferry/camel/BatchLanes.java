package dev.ferry.camel;

import dev.ferry.DaemonThreads;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.LedgerException;
import dev.ferry.ledger.UnitOfWork;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lanes behind {@code ferry:batch}: a few threads that each take queued exchanges one after the other and
 * run them inside one ledger commit, up to {@code batchSize} of them or {@link #BATCH_MILLIS} of work, whichever
 * comes first. A burst of small drops then costs one durable write per batch instead of four per file, and no
 * thread hand-over per file; each file is still transferred, verified and renamed on its own.
 *
 * <p>An exchange completes only after its batch is committed, so a dropped file leaves the inbox only once the
 * ledger has it as published; a crash before that repeats the batch's files from the inbox. A lane takes the next
 * exchange only when it is free, so a burst spreads over all lanes instead of filling the first one's batch.
 *
 * <p>The queue holds at most {@code batchSize} exchanges: beyond that {@link #submit} waits for room. The inbox's
 * file consumer hands its drops over on its own thread, so a poll that found 1,000 drops then hands them over as
 * the lanes take them, and the next poll (which lists every file still in the inbox, each in progress, at 20 polls
 * a second) comes only once the last is queued: a queue of 1,000 made every poll while it drained list them all
 * again (#16.4). The lanes never lack work meanwhile: a full batch's worth is always queued.
 */
final class BatchLanes {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLanes.class);
    /** Bounds how long a batch holds its rows uncommitted, and how much a crash repeats. */
    static final long BATCH_MILLIS = 500;

    /**
     * One exchange's work in {@code unit}: the batch's one commit, or {@link UnitOfWork#IMMEDIATE} for an exchange
     * run after it; false when it cannot run inside the batch now (its transfer is busy elsewhere).
     */
    @FunctionalInterface
    interface Work {
        boolean run(Exchange exchange, UnitOfWork unit) throws Exception;
    }

    /** @param body the exchange's body as it came, for a run again after its batch (its result replaces it) */
    private record Item(Exchange exchange, AsyncCallback callback, Object body) {
    }

    private final BlockingQueue<Item> queue;
    private final JdbcLedger ledger;
    private final Work work;
    private final int batchSize;
    private final BooleanSupplier serviceStopping;
    private final ExecutorService threads;
    private volatile boolean running = true;

    BatchLanes(JdbcLedger ledger, Work work, int lanes, int batchSize, BooleanSupplier serviceStopping) {
        if (lanes < 1 || batchSize < 1) {
            throw new IllegalArgumentException("ferry:batch needs lanes >= 1 and batchSize >= 1, not " + lanes + " and "
                    + batchSize);
        }
        this.ledger = ledger;
        this.work = work;
        this.batchSize = batchSize;
        this.queue = new LinkedBlockingQueue<>(batchSize);
        this.serviceStopping = serviceStopping;
        this.threads = Executors.newFixedThreadPool(lanes, DaemonThreads.named("ferry-batch"));
        for (int i = 0; i < lanes; i++) {
            threads.execute(this::lane);
        }
    }

    /**
     * Queues the exchange, waiting while the queue is full. Once the lanes are stopped it returns without queueing:
     * the exchange stays unfinished, as those still queued then do, and its file stays in the inbox.
     */
    void submit(Exchange exchange, AsyncCallback callback) {
        Item item = new Item(exchange, callback, exchange.getIn().getBody());
        try {
            while (running) {
                if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exchanges queued and not yet taken by a lane. */
    int queued() {
        return queue.size();
    }

    /** The lanes finish the batch in hand; exchanges still queued stay unfinished, so their files stay put. */
    void stop() {
        running = false;
        threads.shutdown();
    }

    private void lane() {
        while (running) {
            Item first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first != null) {
                runBatch(first);
            }
        }
    }

    private void runBatch(Item first) {
        // Every exchange taken from the queue is in here before it runs, so each one completes whatever fails.
        List<Item> taken = new ArrayList<>(List.of(first));
        List<Item> deferred = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
        UnitOfWork[] unit = {UnitOfWork.IMMEDIATE};
        List<Item> again = new ArrayList<>();
        try {
            ledger.oneCommit(batch -> {
                unit[0] = batch;
                for (int i = 0; i < taken.size(); i++) {
                    Item item = taken.get(i);
                    if (!runOne(item, batch)) {
                        deferred.add(item);
                    }
                    if (ledgerFailure(item.exchange().getException())) {
                        // The batch's connection may be gone (a killed session): every exchange taken after this
                        // one would fail on it in a moment. The batch ends here; the queue's go to the next.
                        break;
                    }
                    boolean room = taken.size() < batchSize && System.nanoTime() < deadline && running;
                    Item next = room ? queue.poll() : null;
                    if (next != null) {
                        taken.add(next);
                    }
                }
                return null;
            });
            // How many files share a commit is what the batch buys (#16.4): say so where a profile can see it.
            LOG.debug("a batch of {} transfers in one commit ({} ms)", taken.size() - deferred.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deadline) + BATCH_MILLIS);
        } catch (RuntimeException | Error e) {
            // The commit failed (or the ledger could not be reached at all): nothing of this batch is recorded,
            // though its files may have reached the server. Each file that went well runs again on its own, which
            // finds a copy already in place and records it (UploadPlanner's same-bytes check) instead of sending it
            // again; failing them sent drops that had arrived intact to .failed/ (ClusterFaultTest in CI, after
            // PostgreSQL ended a batch's session). So does one that failed on the ledger: on this batch's connection,
            // not for a reason of its own. One that failed otherwise keeps its own reason.
            LOG.warn("a batch of {} transfers could not be recorded in the ledger ({}); each runs again on its own",
                    taken.size() - deferred.size(), e.getMessage());
            for (Item item : taken) {
                Exception failed = item.exchange().getException();
                if (!deferred.contains(item) && (failed == null || ledgerFailure(failed))) {
                    item.exchange().setException(null);
                    item.exchange().getIn().setBody(item.body());
                    again.add(item);
                }
            }
            deferred.addAll(again);
        }
        for (Item item : taken) {
            Object id = item.exchange().getIn().getHeader(FerryConstants.TRANSFER_ID);
            boolean refused = id != null && unit[0].refused().contains(id.toString());
            if (!deferred.contains(item) && (refused || stoppedForItsLease(item.exchange()))) {
                // Another node took it over before the commit: what this batch did for it is not in the ledger, so
                // it waits for that node's end as any exchange that lost its lease does. Or this node stopped it
                // itself, its last lease renewal too old for it to write (a renewal that waited out a ledger
                // outage): run alone, it waits the same way until the claim loop gives it back to this node; in
                // the batch it failed, and its drop went to .failed/ "another node owns it now" with none there.
                item.exchange().setException(null);
                item.exchange().getIn().setBody(item.body());
                deferred.add(item);
            }
        }
        for (Item item : taken) {
            if (!deferred.contains(item)) {
                complete(item);
            }
        }
        // Their transfer was running for another request, their commit failed, or they came after a ledger failure in
        // the batch: each runs on its own now.
        SQLException unreachable = null;
        for (Item item : deferred) {
            if (unreachable != null) {
                // The database cannot be reached at all: the rest would each wait for the pool's timeout to learn so.
                item.exchange().setException(new LedgerException("ledger: not reachable, so this file's transfer was"
                        + " not recorded (" + unreachable.getMessage() + "); it waits in the inbox until the"
                        + " database answers", unreachable));
            } else {
                runOne(item, UnitOfWork.IMMEDIATE);
                unreachable = connectionFailure(item.exchange().getException());
            }
            complete(item);
        }
    }

    private static boolean ledgerFailure(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof LedgerException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database's own "no connection" behind a ledger failure (SQL state class 08, or the pool's wait for one
     * ran out), or null: a failure of one transfer's statement says nothing of the others'.
     */
    private static SQLException connectionFailure(Throwable t) {
        if (!ledgerFailure(t)) {
            return null;
        }
        for (; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql instanceof SQLTransientConnectionException
                    || sql instanceof SQLNonTransientConnectionException
                    || sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
                return sql;
            }
        }
        return null;
    }

    private boolean runOne(Item item, UnitOfWork unit) {
        try {
            return work.run(item.exchange(), unit);
        } catch (Exception | Error e) {
            // An Error too: the exchange must complete (its file goes to .failed/), and the lane must go on.
            item.exchange().setException(e);
            return true;
        }
    }

    private void complete(Item item) {
        if (item.exchange().getException() != null && serviceStopping.getAsBoolean()) {
            // As FerryProducer does for the other steps: a failure caused by shutdown leaves the file in the inbox.
            LOG.info("{} interrupted by shutdown; it resumes at the next start",
                    item.exchange().getIn().getHeader(FerryConstants.TRANSFER_ID));
            return;
        }
        item.callback().done(false);
    }

    /** The item's transfer stopped in the batch because this node could not write for it under its lease. */
    private static boolean stoppedForItsLease(Exchange exchange) {
        return exchange.getException() != null
                && dev.ferry.ledger.LostLeaseException.in(exchange.getException()) != null;
    }
}
