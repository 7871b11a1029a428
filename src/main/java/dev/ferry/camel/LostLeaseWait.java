package dev.ferry.camel;

import dev.ferry.ledger.Leases;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferRequest;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import dev.ferry.transfer.TransferResult;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * For an inbox file whose transfer this node lost to another: waits until the ledger says how the transfer ended, or
 * until this node holds it again (its claim loop took it back). It only reads the ledger, so a partition that is
 * still cut (reads fail) just means waiting longer.
 */
final class LostLeaseWait {
    private LostLeaseWait() {
    }

    /**
     * @return the result when another node published the transfer; empty when this node holds it again, the service
     *         is stopping or the thread was interrupted
     * @throws TransferFailedException with the ledger's reason when it ended failed or cancelled elsewhere
     */
    static Optional<TransferResult> until(TransferEngine engine, TransferRequest request, BooleanSupplier stopping)
            throws TransferFailedException {
        String id = request.id();
        Leases leases = engine.ledger().leases();
        // As often as the claim loop looks: an end elsewhere or a claim back here is seen within a third of a lease.
        long every = TimeUnit.MILLISECONDS.toNanos(Math.max(200, leases.lease().toMillis() / 3));
        while (!stopping.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            if (leases.holds(id)) {
                return Optional.empty();
            }
            TransferRecord r;
            try {
                r = engine.ledger().find(id).orElse(null);
                if (r == null) {
                    throw new TransferFailedException(id, "transfer " + id + " is no longer in the ledger", null);
                }
            } catch (RuntimeException unreachable) {
                r = null;
            }
            if (r != null && r.status() == TransferStatus.PUBLISHED) {
                return Optional.of(TransferResult.publishedEarlier(id,
                        request.direction() == Direction.DOWNLOAD ? r.localPath() : r.remotePath(), r.size(),
                        "published by another node"));
            }
            if (r != null && r.status().finished()) {
                throw new TransferFailedException(id, r.reason() != null ? r.reason()
                        : "transfer " + id + " ended " + r.status() + " on another node", null);
            }
            LockSupport.parkNanos(every);
        }
        return Optional.empty();
    }
}
