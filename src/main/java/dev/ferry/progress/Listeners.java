package dev.ferry.progress;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to many listeners; one that throws is logged and skipped, never allowed to break a transfer. */
public final class Listeners implements TransferListener {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private final List<TransferListener> all = new CopyOnWriteArrayList<>();

    public Listeners add(TransferListener listener) {
        all.add(listener);
        return this;
    }

    public void remove(TransferListener listener) {
        all.remove(listener);
    }

    private void each(Consumer<TransferListener> event) {
        for (TransferListener l : all) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("transfer listener {} failed: {}", l.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override public void treeStarted(TreeView t) { each(l -> l.treeStarted(t)); }
    @Override public void treeFinished(TreeView t, String r) { each(l -> l.treeFinished(t, r)); }
    @Override public void accepted(TransferView t) { each(l -> l.accepted(t)); }
    @Override public void transferStart(TransferView t) { each(l -> l.transferStart(t)); }
    @Override public void resumed(TransferView t, long b) { each(l -> l.resumed(t, b)); }
    @Override public void restarted(TransferView t, String why) { each(l -> l.restarted(t, why)); }
    @Override public void segmentStart(TransferView t, int s, long a, long b) { each(l -> l.segmentStart(t, s, a, b)); }
    @Override public void checkpoint(TransferView t, int s, long o) { each(l -> l.checkpoint(t, s, o)); }
    @Override public void retry(TransferView t, int s, Throwable c, Duration d) { each(l -> l.retry(t, s, c, d)); }
    @Override public void stepRetry(TransferView t, String step, Throwable c, Duration d, int n, int of) {
        each(l -> l.stepRetry(t, step, c, d, n, of));
    }
    @Override public void segmentEnd(TransferView t, int s, long b) { each(l -> l.segmentEnd(t, s, b)); }
    @Override public void segmentFailed(TransferView t, int s, Throwable c) { each(l -> l.segmentFailed(t, s, c)); }
    @Override public void segmentGivenBack(TransferView t, int s, Throwable c) {
        each(l -> l.segmentGivenBack(t, s, c));
    }
    @Override public void progress(TransferView t) { each(l -> l.progress(t)); }
    @Override public void verified(TransferView t, String how) { each(l -> l.verified(t, how)); }
    @Override public void published(TransferView t, String n) { each(l -> l.published(t, n)); }
    @Override public void transferEnd(TransferView t) { each(l -> l.transferEnd(t)); }
    @Override public void transferFailed(TransferView t, String r) { each(l -> l.transferFailed(t, r)); }
    @Override public void transferCancelled(TransferView t) { each(l -> l.transferCancelled(t)); }
    @Override public void transferStopped(TransferView t, String why) { each(l -> l.transferStopped(t, why)); }
}
