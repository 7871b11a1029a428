package dev.ferry.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the example events file (routes/progress.yaml appends every event to data/events.jsonl) from growing without
 * end: past {@link #LIMIT_BYTES} it becomes events.jsonl.1 (the one before that goes) and a new file starts. A hostile
 * review saw 3.2 MB after 6,500 small drops, and the file fill the disk the ledger was on; a service that runs for
 * months writes millions. Looked at every {@link #EVERY} events, not every one: a stat per event is not worth it.
 * An event that cannot be appended (a full disk) is said once a minute with a count ({@link #unwritten}): the route's
 * default error handler logged an ERROR with a stack trace for every event, a dozen per small drop, while the disk
 * stayed full.
 */
public final class EventLogRoll {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogRoll.class);
    static final long LIMIT_BYTES = 64L << 20;
    static final int EVERY = 100;
    private final Path file;
    private final long limit;
    private final AtomicInteger events = new AtomicInteger();
    static final long SAY_EVERY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private final java.util.function.LongSupplier nanoClock;
    private long unsaid;
    private long saidAt;
    private boolean said;

    public EventLogRoll(Path file) {
        this(file, LIMIT_BYTES);
    }

    EventLogRoll(Path file, long limit) {
        this(file, limit, System::nanoTime);
    }

    EventLogRoll(Path file, long limit, java.util.function.LongSupplier nanoClock) {
        this.file = file;
        this.limit = limit;
        this.nanoClock = nanoClock;
    }

    /**
     * Called for an event the events route could not append (its error handler). Each event is also a log line of
     * dev.ferry.transfer, so what is lost is only this copy of it.
     */
    public synchronized void unwritten(Exception cause) {
        unsaid++;
        long now = nanoClock.getAsLong();
        if (said && now - saidAt < SAY_EVERY_NANOS) {
            return;
        }
        LOG.warn("{} event(s) could not be appended to {} ({}); each is still in the log (dev.ferry.transfer). Free"
                + " space on its disk or fix the file; said again at most once a minute while it lasts", unsaid, file,
                cause == null ? "unknown cause" : rootMessage(cause));
        unsaid = 0;
        saidAt = now;
        said = true;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + ": " + root;
    }

    /** Called before each event is appended (a bean step of the events route). */
    public void roll() {
        if (Math.floorMod(events.getAndIncrement(), EVERY) != 0) { // past 2^31 events the count goes negative
            return;
        }
        try {
            if (Files.size(file) > limit) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                LOG.info("{} passed {} MiB: kept as {}.1, a new one started", file, limit >> 20, file.getFileName());
            }
        } catch (NoSuchFileException none) {
            // No event written yet.
        } catch (IOException e) {
            LOG.warn("{} could not be rolled over ({}); events are still appended to it", file, e.toString());
        }
    }
}
