package dev.ferry.transfer;

import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferView;
import java.util.List;

/** A transfer not planned yet (or one that failed before planning): known by its request alone. */
record AcceptedView(TransferRequest request) implements TransferView {
    @Override public String id() { return request.id(); }
    @Override public Direction direction() { return request.direction(); }
    @Override public String server() { return request.server(); }
    @Override public String remotePath() { return request.remotePath(); }
    @Override public String localPath() { return request.localPath(); }
    @Override public String tree() { return request.tree(); }
    @Override public long size() { return -1; }
    @Override public long bytesDone() { return 0; }
    @Override public long bytesMoved() { return 0; }
    @Override public double rate() { return 0; }
    @Override public long etaSeconds() { return -1; }
    @Override public int retries() { return 0; }
    @Override public List<SegmentView> segments() { return List.of(); }
}
