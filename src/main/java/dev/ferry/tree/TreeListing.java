package dev.ferry.tree;

import dev.ferry.ledger.Claim;
import dev.ferry.ledger.TreeListings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A download's listing on its way through the ledger: the walk appends entries a page at a time (and at the end of
 * each folder), the tree's files are read back a page at a time behind it, so the walk never waits for the
 * transfers, memory holds a page, and once the walk has ended a crash or restart resumes from the ledger's copy
 * ({@link #resumed}) without listing the server again.
 */
final class TreeListing {
    static final int PAGE = 500;

    /** What the tree does with each entry read back. */
    interface Handler {
        void entry(TreeListings.Entry entry) throws IOException;
    }

    private final TreeListings store;
    private final Claim run;
    private final String id;
    private final List<TreeListings.Entry> buffer = new ArrayList<>();
    private int seq;
    private int flushed;
    private boolean ended;
    private Throwable walkFailure;
    private boolean stopped;

    private TreeListing(TreeListings store, Claim run, boolean ended) {
        this.store = store;
        this.run = run;
        this.id = run.transferId();
        this.ended = ended;
    }

    /** A listing the walk is about to write, under the tree's run {@code run}. */
    static TreeListing fresh(TreeListings store, Claim run) {
        return new TreeListing(store, run, false);
    }

    /** An earlier run's whole listing. */
    static TreeListing resumed(TreeListings store, Claim run) {
        return new TreeListing(store, run, true);
    }

    /**
     * The tree stopped (interrupted, cancelled, failed): from now on the walk writes nothing and ends at its next
     * entry. A write under way finishes first (this waits for it), so none comes after this returns.
     */
    synchronized void stop() {
        stopped = true;
        buffer.clear();
    }

    synchronized void file(TreeEntry e) throws InterruptedIOException {
        requireRunning();
        add(new TreeListings.Entry(++seq, e.relative(), e.size(), e.mtime(), e.exactTime(), null));
    }

    synchronized void refused(String relative, String reason) {
        if (!stopped) {
            add(new TreeListings.Entry(++seq, relative, 0, -1, false, reason));
        }
    }

    private void requireRunning() throws InterruptedIOException {
        if (stopped || Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("tree " + id + " stopped: its walk ends here");
        }
    }

    private void add(TreeListings.Entry entry) {
        buffer.add(entry);
        if (buffer.size() >= PAGE) {
            store.append(run, buffer);
            buffer.clear();
            flushed = seq;
            notifyAll();
        }
    }

    /** What the walk has so far, readable (at the end of each folder, so a small tree starts at once). */
    synchronized void flush() throws InterruptedIOException {
        requireRunning();
        store.append(run, buffer);
        buffer.clear();
        flushed = seq;
        notifyAll();
    }

    /** The walk ended, whole or (failure not null) not: only a whole one is resumed from later. */
    synchronized void walked(Throwable failure) {
        try {
            if (failure == null && stopped) {
                failure = new InterruptedIOException("tree " + id + " stopped before its walk ended");
            } else if (failure == null) {
                flush();
                store.listed(run, seq);
            }
        } catch (RuntimeException | InterruptedIOException e) {
            failure = e;
        } finally {
            walkFailure = failure;
            ended = true;
            notifyAll();
        }
    }

    /** Every entry in listing order, following the walk while it runs; the walk's failure is thrown at the end. */
    void replay(Handler handler) throws IOException {
        int after = 0;
        while (true) {
            List<TreeListings.Entry> page;
            try {
                page = store.page(id, after, PAGE);
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    // The ledger's pool refuses an interrupted thread: the tree was stopped, not the ledger broken.
                    InterruptedIOException stopped = new InterruptedIOException("tree " + id + " interrupted");
                    stopped.initCause(e);
                    throw stopped;
                }
                throw e;
            }
            if (page.isEmpty()) {
                synchronized (this) {
                    if (flushed > after) {
                        continue;
                    }
                    if (ended) {
                        break;
                    }
                    try {
                        wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("tree " + id + " interrupted");
                    }
                }
                continue;
            }
            for (TreeListings.Entry e : page) {
                handler.entry(e);
            }
            after = page.get(page.size() - 1).seq();
        }
        Throwable failure;
        synchronized (this) {
            failure = walkFailure;
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }
}
