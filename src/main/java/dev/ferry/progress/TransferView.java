package dev.ferry.progress;

import dev.ferry.plan.Direction;
import java.util.List;

/** A read-only look at a transfer in flight, for listeners: everything a log line, a bar or a page shows. */
public interface TransferView {
    String id();

    Direction direction();

    String server();

    String remotePath();

    String localPath();

    /** The tree (folder) transfer this file is part of, null for a file on its own. */
    default String tree() {
        return null;
    }

    /** Total bytes, -1 before planning. */
    long size();

    /** Bytes in place so far (in the part file, or confirmed by the server), including resumed ones. */
    long bytesDone();

    /** Bytes moved over the network in this run. */
    long bytesMoved();

    /** Bytes per second over the last few seconds. */
    double rate();

    /** Seconds to go at the current rate, -1 when unknown. */
    long etaSeconds();

    int retries();

    List<SegmentView> segments();

    default int percent() {
        long size = size();
        return size <= 0 ? (size == 0 ? 100 : 0) : (int) Math.min(100, bytesDone() * 100 / size);
    }

    /** One segment's range and progress. */
    record SegmentView(int index, long start, long end, long offset, boolean done) {
    }
}
