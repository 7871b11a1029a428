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
 */
public final class EventLogRoll {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogRoll.class);
    static final long LIMIT_BYTES = 64L << 20;
    static final int EVERY = 100;
    private final Path file;
    private final long limit;
    private final AtomicInteger events = new AtomicInteger();

    public EventLogRoll(Path file) {
        this(file, LIMIT_BYTES);
    }

    EventLogRoll(Path file, long limit) {
        this.file = file;
        this.limit = limit;
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
