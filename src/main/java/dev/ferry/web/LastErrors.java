package dev.ferry.web;

import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last thing that went wrong with each transfer, in words, for the status page: a retried segment, a failed
 * one, the reason a transfer failed. A new run (the transfer accepted again) starts with a clean slate. Bounded: only
 * the most recent transfers are remembered; the ledger keeps the reason of every failed one anyway.
 */
final class LastErrors implements TransferListener {
    private static final int KEEP = 2_000;

    /** What went wrong, and when. */
    record Entry(String message, Instant at) {
    }

    private final Map<String, Entry> byId = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > KEEP;
        }
    };

    synchronized Entry get(String id) {
        return byId.get(id);
    }

    private synchronized void put(String id, String message) {
        byId.put(id, new Entry(message, Instant.now()));
    }

    @Override
    public synchronized void accepted(TransferView t) {
        byId.remove(t.id());
    }

    @Override
    public void restarted(TransferView t, String why) {
        put(t.id(), "started again from the beginning: " + why);
    }

    @Override
    public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        put(t.id(), "segment " + segment + ": " + words(cause) + " (trying again in "
                + String.format(java.util.Locale.ROOT, "%.1f", delay.toMillis() / 1000.0) + " s)");
    }

    @Override
    public void stepRetry(TransferView t, String step, Throwable cause, Duration delay, int nextTry,
                          int plannedTries) {
        put(t.id(), step + ": " + words(cause));
    }

    @Override
    public void segmentFailed(TransferView t, int segment, Throwable cause) {
        put(t.id(), "segment " + segment + " failed: " + words(cause));
    }

    @Override
    public void transferFailed(TransferView t, String reason) {
        put(t.id(), reason);
    }

    static String words(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
