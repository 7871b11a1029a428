package dev.ferry.camel;

import dev.ferry.transfer.CancelledException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the split's segment exchanges came to, collected by {@link SegmentAggregation}: the segments moved now, those
 * an earlier run had finished (skipped by the idempotent consumer), and the first failure. A cancellation that only
 * follows another segment's failure never hides that failure.
 */
public final class SegmentOutcome {
    private final List<Integer> moved = new ArrayList<>();
    private final List<Integer> skipped = new ArrayList<>();
    private Throwable failure;
    private int failedSegment = -1;

    synchronized void moved(int index) {
        moved.add(index);
    }

    synchronized void skipped(int index) {
        skipped.add(index);
    }

    synchronized void failed(int index, Throwable cause) {
        boolean cancel = isCancel(cause);
        if (failure == null || (isCancel(failure) && !cancel)) {
            failure = cause;
            failedSegment = index;
        }
    }

    private static boolean isCancel(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CancelledException) {
                return true;
            }
        }
        return false;
    }

    public synchronized List<Integer> moved() {
        return List.copyOf(moved);
    }

    public synchronized List<Integer> skipped() {
        return List.copyOf(skipped);
    }

    /** The first failure, or null when every segment is done. */
    public synchronized Throwable failure() {
        return failure;
    }

    public synchronized int failedSegment() {
        return failedSegment;
    }

    @Override
    public synchronized String toString() {
        return "segments moved " + moved + ", already done " + skipped
                + (failure == null ? "" : ", segment " + failedSegment + " failed: " + failure.getMessage());
    }
}
