package dev.ferry.ledger;

import java.util.Objects;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's {@link IdempotentRepository} over the ledger's finished segments, keyed {@code <transferId>#<index>}: the
 * registry's {@code ferryLedger}, which the segment route's idempotent consumer names. Use it with a non-eager
 * idempotent consumer ({@code eager=false}): an eager consumer calls {@code add} before the segment has moved, which
 * would record a segment as done ahead of its data.
 */
public final class DoneSegments implements IdempotentRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DoneSegments.class);

    private final JdbcLedger ledger;

    public DoneSegments(JdbcLedger ledger) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    @Override
    public boolean contains(String key) {
        Key k = Key.parse(key);
        return ledger.segmentIsDone(k.id, k.index);
    }

    /** Marks the segment done; true if it was not done before, false if it was or if there is no such segment. */
    @Override
    public boolean add(String key) {
        // The segment step records "done" itself, so this is nearly always a no-op: a read costs no commit.
        if (contains(key)) {
            return false;
        }
        Key k = Key.parse(key);
        return ledger.markSegmentDone(k.id, k.index);
    }

    /**
     * Marks the segment not done, for a route whose segment exchange failed; true if it was done. The offset
     * goes back to the segment's start: nothing says which of its bytes are safe, and the ledger must never
     * run ahead of the data.
     */
    @Override
    public boolean remove(String key) {
        Key k = Key.parse(key);
        return ledger.markSegmentNotDone(k.id, k.index);
    }

    /** Always true: {@link #add} is already durable, there is nothing left to confirm. */
    @Override
    public boolean confirm(String key) {
        return true;
    }

    /**
     * Deliberately does nothing. Camel calls this only from a management operation; clearing the done flags
     * would make every finished segment be sent again, and the ledger's progress is not a cache to flush.
     */
    @Override
    public void clear() {
        LOG.warn("Ignored a request to clear the ledger's finished segments: they would all be sent again");
    }

    /** No-op: the ledger is usable from construction and closed by its owner. */
    @Override
    public void start() {
    }

    /** No-op: Camel stopping a route must not close the ledger that other routes and recovery use. */
    @Override
    public void stop() {
    }

    private record Key(String id, int index) {
        static Key parse(String key) {
            // The last '#' separates: a transfer id may contain '#', an index never does.
            int hash = key == null ? -1 : key.lastIndexOf('#');
            try {
                return new Key(key.substring(0, hash), Integer.parseInt(key.substring(hash + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a segment key <transferId>#<index>: " + key);
            }
        }
    }
}
