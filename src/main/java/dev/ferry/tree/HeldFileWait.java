package dev.ferry.tree;

import dev.ferry.ledger.ClusterView;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tree's file whose transfer another node holds a live lease on: most often a node that died with it under way, and
 * whose tree this node took over before that node's file leases ran out. Counted failed at once, the tree ended
 * INCOMPLETE though the file is finished soon after. It waits instead, up to two leases (a dead node's lease runs out
 * within one): the file is done when that node publishes it, and runs here once its lease has run out.
 */
final class HeldFileWait {
    private static final Logger LOG = LoggerFactory.getLogger(HeldFileWait.class);

    private HeldFileWait() {
    }

    /**
     * @param lost    how the file's run here ended (its lease held by another node)
     * @param stop    true when the tree's run stops (a stop, or the tree lost to another node): the wait ends
     * @param runHere runs the file here again, returning null when it is published, else why not
     * @return null when the file was published (by that node, or here after its lease ran out); else why not
     */
    static Throwable until(TransferEngine engine, String id, Throwable lost, BooleanSupplier stop,
                           Supplier<Throwable> runHere) {
        Duration lease = engine.ledger().leases().lease();
        long deadline = System.nanoTime() + 2 * lease.toNanos();
        // Often enough that a file published there is taken as done soon: one small read of the row per look.
        long every = Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(TimeUnit.MILLISECONDS.toNanos(200),
                lease.toNanos() / 30));
        ClusterView cluster = ClusterView.of(engine.ledger());
        Throwable last = lost;
        LOG.info("{}: another node holds it; waiting for its end there or for its lease to run out", id);
        while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
            LockSupport.parkNanos(every);
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            Optional<TransferRecord> row;
            try {
                row = engine.ledger().find(id);
            } catch (RuntimeException unreachable) {
                continue;
            }
            if (row.isEmpty()) {
                break;
            }
            TransferStatus status = row.get().status();
            if (status == TransferStatus.PUBLISHED) {
                LOG.info("{} was published by another node; nothing to send", id);
                return null;
            }
            if (status.finished()) {
                String reason = row.get().reason();
                return new TransferFailedException(id, reason != null ? reason
                        : "transfer " + id + " ended " + status + " on another node", null);
            }
            if (!cluster.heldElsewhere(id, row)) {
                last = runHere.get();
                if (last == null || LostLeaseException.in(last) == null) {
                    return last;
                }
            }
        }
        return last;
    }
}
