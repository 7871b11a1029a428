package dev.ferry.progress;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line per event, each starting with the transfer id so a grep follows one transfer. */
public final class LoggingListener implements TransferListener {
    private static final Logger LOG = LoggerFactory.getLogger("dev.ferry.transfer");

    @Override
    public void treeStarted(TreeView t) {
        LOG.info("tree {} started: {} {}:{} {} {}{}", t.id(), t.direction(), t.server(), t.remoteRoot(),
                t.direction() == dev.ferry.plan.Direction.DOWNLOAD ? "->" : "<-", t.localRoot(),
                t.resumedListing() ? " (listing resumed from the ledger)" : "");
    }

    @Override
    public void treeFinished(TreeView t, String reason) {
        LOG.info("tree {} {}: {} files, {} transferred ({}), {} skipped as unchanged, {} failed, {} refused{}", t.id(),
                t.status(), t.files(), t.transferred(), Units.bytes(t.bytesMoved()), t.skipped(), t.failed(),
                t.refused(), reason == null ? "" : ": " + reason);
    }

    @Override
    public void accepted(TransferView t) {
        LOG.info("{} accepted: {} {}", t.id(), t.direction(), describe(t));
    }

    @Override
    public void transferStart(TransferView t) {
        LOG.info("{} started: {} in {} segment(s), {}", t.id(), Units.bytes(t.size()), t.segments().size(),
                describe(t));
    }

    @Override
    public void resumed(TransferView t, long bytesAlreadyThere) {
        LOG.info("{} resumed: {} of {} already in place", t.id(), Units.bytes(bytesAlreadyThere),
                Units.bytes(t.size()));
    }

    @Override
    public void restarted(TransferView t, String why) {
        LOG.warn("{} starting over: {}", t.id(), why);
    }

    @Override
    public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        LOG.warn("{} segment {} retry in {} ms: {}", t.id(), segment, delay.toMillis(), cause.getMessage());
    }

    @Override
    public void segmentFailed(TransferView t, int segment, Throwable cause) {
        LOG.warn("{} segment {} failed: {}", t.id(), segment, cause.getMessage());
    }

    @Override
    public void progress(TransferView t) {
        LOG.info("{} progress: {}% {} of {} at {}, ETA {}", t.id(), t.percent(), Units.bytes(t.bytesDone()),
                Units.bytes(t.size()), Units.rate(t.rate()), Units.seconds(t.etaSeconds()));
    }

    @Override
    public void verified(TransferView t, String how) {
        LOG.info("{} verified: {}", t.id(), how);
    }

    @Override
    public void published(TransferView t, String finalName) {
        LOG.info("{} published: {}", t.id(), finalName);
    }

    @Override
    public void transferEnd(TransferView t) {
        LOG.info("{} done: {} moved over the network for {} ({} retries)", t.id(), Units.bytes(t.bytesMoved()),
                Units.bytes(t.size()), t.retries());
    }

    @Override
    public void transferFailed(TransferView t, String reason) {
        LOG.error("{} failed: {}", t.id(), reason);
    }

    @Override
    public void transferCancelled(TransferView t) {
        LOG.info("{} cancelled at {}%; run it again to resume", t.id(), t.percent());
    }

    @Override
    public void transferStopped(TransferView t, String why) {
        LOG.warn("{} stopped here at {}%: {}", t.id(), t.percent(), why);
    }

    private static String describe(TransferView t) {
        return switch (t.direction()) {
            case DOWNLOAD -> t.server() + ":" + t.remotePath() + " -> " + t.localPath();
            case UPLOAD -> t.localPath() + " -> " + t.server() + ":" + t.remotePath();
        };
    }
}
