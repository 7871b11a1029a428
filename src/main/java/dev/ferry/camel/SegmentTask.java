package dev.ferry.camel;

/**
 * One segment exchange of the split. {@link #getKey()} is the ledger's idempotency key for a finished segment, so a
 * route can write {@code idempotentConsumer: ${body.key}} and skip what an earlier run already moved.
 */
public record SegmentTask(String transferId, int index, long start, long end, long offset, boolean done) {

    public String getKey() {
        return transferId + "#" + index;
    }

    public int getIndex() {
        return index;
    }

    @Override
    public String toString() {
        return getKey() + " [" + start + ", " + end + ") at " + offset + (done ? " (done)" : "");
    }
}
