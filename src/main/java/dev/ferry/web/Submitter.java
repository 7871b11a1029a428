package dev.ferry.web;

import dev.ferry.plan.TransferRequest;

/**
 * Runs a request the API has accepted into the ledger, without waiting for it: by default on the engine's own
 * threads ({@code engine.submit}); in the service, into the route pipeline ({@code seda:ferry-transfers}).
 */
@FunctionalInterface
public interface Submitter {
    void submit(TransferRequest accepted);
}
