package dev.ferry.camel;

import dev.ferry.transfer.FirstFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * What the split's segment exchanges came to, collected by {@link SegmentAggregation}: the segments moved now, those
 * an earlier run had finished (skipped by the idempotent consumer), and the first failure by the engine's own rule
 * ({@link FirstFailure}).
 */
public final class SegmentOutcome {
    private final List<Integer> moved = new ArrayList<>();
    private final List<Integer> skipped = new ArrayList<>();
    private final FirstFailure<Throwable> failure = new FirstFailure<>();

    synchronized void moved(int index) {
        moved.add(index);
    }

    synchronized void skipped(int index) {
        skipped.add(index);
    }

    void failed(int index, Throwable cause) {
        failure.offer(index, cause);
    }

    public synchronized List<Integer> moved() {
        return List.copyOf(moved);
    }

    public synchronized List<Integer> skipped() {
        return List.copyOf(skipped);
    }

    /** The first failure, or null when every segment is done. */
    public Throwable failure() {
        return failure.get();
    }

    public int failedSegment() {
        return failure.segment();
    }

    @Override
    public synchronized String toString() {
        return "segments moved " + moved + ", already done " + skipped
                + (failure() == null ? "" : ", segment " + failedSegment() + " failed: " + failure().getMessage());
    }
}
