package dev.ferry.transfer;

import dev.ferry.ledger.SegmentRecord;
import java.util.ArrayList;
import java.util.List;

/** {@code segments = clamp(ceil(size / minSegmentSize), 1, limit)}, as even as the bytes allow. */
final class SegmentPlanner {
    private SegmentPlanner() {
    }

    static List<SegmentRecord> plan(long size, long minSegmentSize, int limit) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        long wanted = Math.max(1, (size + minSegmentSize - 1) / Math.max(1, minSegmentSize));
        int count = (int) Math.max(1, Math.min(wanted, Math.max(1, limit)));
        List<SegmentRecord> segments = new ArrayList<>(count);
        long base = size / count;
        long extra = size % count;
        long start = 0;
        for (int i = 0; i < count; i++) {
            long length = base + (i < extra ? 1 : 0);
            segments.add(new SegmentRecord(i, start, start + length, start, false));
            start += length;
        }
        return segments;
    }
}
