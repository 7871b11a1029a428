package dev.ferry.camel;

/** The steps of the segment pipeline, as {@code ferry:<operation>} URIs. */
public enum FerryOperation {
    /** Validate a drop or a request and record it in the ledger (durable from here on). */
    accept,
    /** Fingerprint, resume or fresh plan: the body becomes the list of segment tasks to split. */
    plan,
    /** Move one segment task (then steal work from the others). */
    segment,
    /** Verify and publish atomically, after the split has aggregated every segment. */
    publish,
    /** accept + plan + every segment + publish in one step, for simple routes. */
    transfer,
    /**
     * accept + the whole transfer, for small files arriving in bursts: many exchanges share one ledger commit and
     * a few threads ({@code lanes}); each completes once its batch is committed.
     */
    batch
}
