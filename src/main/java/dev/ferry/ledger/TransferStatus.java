package dev.ferry.ledger;

/** Where a transfer stands in its life; every accepted transfer ends PUBLISHED, FAILED or CANCELLED. */
public enum TransferStatus {
    /** Recorded, not yet planned (e.g. a request taken from a queue). */
    ACCEPTED,
    /** Planned and moving (or interrupted, and resumed at start-up). */
    ACTIVE,
    /** Verified and published under its final name. */
    PUBLISHED,
    /** Ended with a reason a person can act on. */
    FAILED,
    /** Stopped by a person; resumable from its segments. */
    CANCELLED;

    /** True when nothing will resume this transfer by itself. */
    public boolean finished() {
        return this == PUBLISHED || this == FAILED || this == CANCELLED;
    }
}
