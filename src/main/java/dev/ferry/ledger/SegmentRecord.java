package dev.ferry.ledger;

/**
 * A segment's durable state: the byte range {@code [start, end)} and {@code offset}, the next byte to move.
 * For a download the bytes below offset are forced to disk; for an upload the server confirmed them.
 */
public record SegmentRecord(int index, long start, long end, long offset, boolean done) {

    public long remaining() {
        return end - offset;
    }
}
