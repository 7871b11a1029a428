package dev.ferry.tree;

import dev.ferry.ledger.Claim;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.Direction;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TreeView;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tree's parent state while it runs: its counts (the ones {@link TreeRun} counts with), bytes and ETA, seen by the
 * API and the status page ({@link #running()}), told to listeners as paired treeStarted / treeFinished events, and
 * written to its ledger row ({@code ferry_tree}) every few seconds and at its end, so a tree run by another process,
 * or one a crash cut short, still shows its counts.
 */
public final class TreeState implements TreeView {
    private static final Logger LOG = LoggerFactory.getLogger(TreeState.class);
    private static final Map<String, TreeState> RUNNING = new ConcurrentHashMap<>();
    private static final long WRITE_EVERY_NANOS = 2_000_000_000L;

    final AtomicInteger files = new AtomicInteger();
    final AtomicInteger transferred = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicLong bytesMoved = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicLong lastWrite = new AtomicLong(System.nanoTime());
    private final AtomicBoolean ended = new AtomicBoolean();
    private final String id;
    private final Direction direction;
    private final String server;
    private final String remoteRoot;
    private final String localRoot;
    private final TreeListings store;
    private final Claim claim;
    private final TransferListener events;
    private final long startNanos = System.nanoTime();
    private volatile String status;
    private volatile boolean resumedListing;
    /** Another node took the tree's row over (or this node gave it up): this run starts no more of its files. */
    private volatile boolean lost;
    /** Someone cancelled the tree (the API): it starts no more files, and those under way are cancelled. */
    private volatile boolean cancelled;
    /** What stops the tree's lanes at a cancel, without waiting for them (its run's thread waits). */
    private volatile Runnable onCancel = () -> { };

    TreeState(Claim claim, Direction direction, String server, String remoteRoot, String localRoot, TreeListings store,
              TransferListener events) {
        this.id = claim.transferId();
        this.claim = claim;
        this.direction = direction;
        this.server = server;
        this.remoteRoot = remoteRoot;
        this.localRoot = localRoot;
        this.store = store;
        this.events = events;
        this.status = direction == Direction.DOWNLOAD ? TreeListings.LISTING : TreeListings.RUNNING;
    }

    /** Trees running in this process now. */
    public static Collection<TreeView> running() {
        return List.copyOf(RUNNING.values());
    }

    /** The tree running in this process under {@code id}, or null. */
    public static TreeView running(String id) {
        return RUNNING.get(id);
    }

    /**
     * Cancels the tree running in this process under {@code id}: no more of its files start, the files under way are
     * cancelled (each keeps what it moved), and its run ends CANCELLED. False when no such tree runs here.
     */
    public static boolean cancel(String id) {
        TreeState state = RUNNING.get(id);
        if (state == null || state.ended.get()) {
            return false;
        }
        state.cancelled = true;
        state.onCancel.run();
        return true;
    }

    boolean cancelled() {
        return cancelled;
    }

    void onCancel(Runnable stop) {
        this.onCancel = stop;
        if (cancelled) {
            stop.run();
        }
    }

    void started(boolean fromLedger) {
        resumedListing = fromLedger;
        if (fromLedger) {
            status = TreeListings.RUNNING;
        }
        RUNNING.put(id, this);
        events.treeStarted(this);
    }

    /** The walk ended: every file of the tree is known. */
    void walked() {
        if (!ended.get()) {
            status = TreeListings.RUNNING;
        }
    }

    /** A file of {@code size} bytes is queued to be sent. */
    void toSend(long size) {
        bytesTotal.addAndGet(size);
    }

    /** A queued file's transfer ended (published or failed). */
    void sent(long size) {
        bytesDone.addAndGet(size);
        long last = lastWrite.get();
        long now = System.nanoTime();
        if (now - last > WRITE_EVERY_NANOS && lastWrite.compareAndSet(last, now)) {
            try {
                store.progress(claim, counts());
            } catch (LostLeaseException e) {
                lost = true;
            } catch (RuntimeException e) {
                LOG.debug("tree {}: its progress is not in the ledger: {}", id, e.toString());
            }
        }
    }

    /**
     * Whether this run lost the tree to another node: its row's write was refused, or this node gave its leases up
     * (a pause longer than a lease). The other node runs the tree; this run must neither start its files (each would
     * be claimed afresh and could record over what the other node published) nor record the tree's end.
     */
    boolean lost() {
        if (!lost && !store.holds(claim)) {
            lost = true;
        }
        return lost;
    }

    /** The tree ended with {@code result}; once only, whatever the path. */
    void finished(TreeResult result) {
        end(result.complete() ? TreeListings.DONE : TreeListings.INCOMPLETE, null);
    }

    /** The tree stopped on {@code failure} before it ended; no-op once ended. */
    void failed(Throwable failure) {
        end(cancelled ? TreeListings.CANCELLED : TreeListings.FAILED,
                failure.getMessage() == null ? failure.toString() : failure.getMessage());
    }

    private void end(String how, String reason) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        RUNNING.remove(id);
        if (lost()) {
            // Its end is the other node's to record, and to announce; this node stops renewing the claim it lost.
            store.lost(claim);
            LOG.info("tree {}: another node took it over; this run ends without recording an end", id);
            return;
        }
        status = how;
        // An interrupted run (Ctrl-C, the service stopping) still records that it stopped: the ledger's pool refuses
        // a thread whose interrupt is set, which left the row saying the tree runs.
        boolean interrupted = Thread.interrupted();
        try {
            store.ended(claim, how, counts(), reason);
        } catch (RuntimeException e) {
            LOG.warn("tree {}: its end is not in the ledger: {}", id, e.toString());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        events.treeFinished(this, reason);
    }

    private TreeListings.Counts counts() {
        return new TreeListings.Counts(files.get(), transferred.get(), skipped.get(), failed.get(), refused.get(),
                bytesMoved.get());
    }

    @Override public String id() { return id; }
    @Override public Direction direction() { return direction; }
    @Override public String server() { return server; }
    @Override public String remoteRoot() { return remoteRoot; }
    @Override public String localRoot() { return localRoot; }
    @Override public String status() { return status; }
    @Override public boolean resumedListing() { return resumedListing; }
    @Override public int files() { return files.get(); }
    @Override public int transferred() { return transferred.get(); }
    @Override public int skipped() { return skipped.get(); }
    @Override public int failed() { return failed.get(); }
    @Override public int refused() { return refused.get(); }
    @Override public long bytesDone() { return bytesDone.get(); }
    @Override public long bytesTotal() { return bytesTotal.get(); }
    @Override public long bytesMoved() { return bytesMoved.get(); }

    @Override
    public long etaSeconds() {
        long done = bytesDone.get();
        long left = bytesTotal.get() - done;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (ended.get() || left <= 0) {
            return 0;
        }
        return done <= 0 || seconds <= 0 ? -1 : Math.round(left / (done / seconds));
    }
}
