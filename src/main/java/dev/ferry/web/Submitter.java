package dev.ferry.web;

import dev.ferry.plan.TransferRequest;

/**
 * Runs a request the API has accepted into the ledger, without waiting for it: by default on the engine's own
 * threads ({@code engine.submit}); in the service, into the route pipeline ({@code seda:ferry-transfers}).
 */
@FunctionalInterface
public interface Submitter {
    /**
     * Queues the accepted request, never waiting for room: an HTTP worker held here is one the status page and the
     * rest of the API do not get, and with the queue full behind a server that cannot be reached every worker was
     * held, for as long as the outage lasted.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the queue has no room for it now
     */
    void submit(TransferRequest accepted);

    /** Whether a request accepted now can be queued at once; the API refuses it (503) before recording it if not. */
    default boolean hasRoom() {
        return true;
    }
}
