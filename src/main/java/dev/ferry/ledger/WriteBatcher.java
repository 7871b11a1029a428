package dev.ferry.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Runs the ledger's write transactions, from any number of threads, in batches on a few writer threads, with one
 * commit for every write that queued up meanwhile. A commit costs H2 about as much for one changed row as for
 * ten (it writes the changed pages each time), and a burst of small transfers makes four writes each.
 *
 * <p>Nothing about durability changes: a caller returns only once its own write is committed. A write that fails
 * is rolled back to its savepoint and reported to its caller alone; a failed commit is reported to all of the
 * batch's callers, as their own commit failing would have been.
 */
final class WriteBatcher implements AutoCloseable {
    private static final int MAX_BATCH = 64;
    private static final Task<?> STOP = new Task<>(c -> null);

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource ds;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param writers how many batches may run at once: statements run in parallel, H2 serialises only the commits
     *                themselves, and a single writer would cap the ledger at one core
     */
    WriteBatcher(DataSource ds, String name, int writers) {
        this.ds = ds;
        for (int i = 1; i <= writers; i++) {
            Thread writer = new Thread(this::loop, name + "-" + i);
            // Never interrupted, not even to stop: an interrupt closes H2's file channel under it.
            writer.setDaemon(true);
            this.writers.add(writer);
        }
        this.writers.forEach(Thread::start);
    }

    /** Runs {@code work} in a transaction and returns once it is committed; its exception as thrown. */
    <T> T run(Work<T> work) throws SQLException {
        if (writers.contains(Thread.currentThread())) {
            // A write inside a write would wait for itself.
            throw new IllegalStateException("a ledger write must not start another ledger write");
        }
        if (closed) {
            throw new SQLException("the ledger is closed");
        }
        Task<T> task = new Task<>(work);
        queue.add(task);
        if (closed && writers.stream().noneMatch(Thread::isAlive)) {
            // Queued after close() stopped the writer and swept the queue: nobody else would ever answer it.
            failLeftovers();
        }
        return task.await();
    }

    private void loop() {
        List<Task<?>> batch = new ArrayList<>();
        while (true) {
            Task<?> first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            if (first == STOP) {
                return;
            }
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            int stops = 0;
            while (batch.remove(STOP)) {
                stops++;
            }
            runBatch(batch);
            batch.clear();
            if (stops > 0) {
                // Each writer stops at one STOP: hand on the ones meant for the others.
                for (int i = 1; i < stops; i++) {
                    queue.add(STOP);
                }
                return;
            }
        }
    }

    private void runBatch(List<Task<?>> batch) {
        try (Connection c = ds.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                List<Task<?>> done = new ArrayList<>(batch.size());
                for (Task<?> task : batch) {
                    Savepoint savepoint = batch.size() > 1 ? c.setSavepoint() : null;
                    try {
                        task.execute(c);
                        done.add(task);
                    } catch (SQLException | RuntimeException e) {
                        if (savepoint != null) {
                            c.rollback(savepoint);
                        } else {
                            c.rollback();
                        }
                        task.fail(e);
                    }
                }
                c.commit();
                done.forEach(Task::succeed);
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                batch.forEach(t -> t.fail(e));
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException | RuntimeException e) {
            batch.forEach(t -> t.fail(e));
        } catch (Error e) {
            batch.forEach(t -> t.fail(e));
            throw e;
        }
    }

    /** Finishes the writes already queued, then stops; later writes fail with "the ledger is closed". */
    @Override
    public void close() {
        closed = true;
        writers.forEach(w -> queue.add(STOP));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            for (Thread writer : writers) {
                writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failLeftovers();
    }

    private void failLeftovers() {
        SQLException gone = new SQLException("the ledger is closed");
        for (Task<?> left; (left = queue.poll()) != null; ) {
            left.fail(gone);
        }
    }

    private static final class Task<T> {
        private final Work<T> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private T value;

        Task(Work<T> work) {
            this.work = work;
        }

        void execute(Connection c) throws SQLException {
            value = work.run(c);
        }

        void succeed() {
            result.complete(value);
        }

        void fail(Throwable e) {
            result.completeExceptionally(e);
        }

        /** Uninterruptible, like the JDBC call it replaces: the write happens (or fails) either way. */
        T await() throws SQLException {
            try {
                return result.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof SQLException sql) {
                    throw sql;
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }
    }
}
