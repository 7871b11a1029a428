package dev.ferry.transfer;

import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferRequest;
import dev.ferry.source.SourceCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restart after a source change, in one place: a transfer whose source changed under it starts over from the new
 * version (never splicing two), a few times at most, whichever path ran it (the command line, a Camel pipeline, a
 * batch). For listeners it is the same transfer going on (restarted), not a second start without an end.
 */
final class Restarts {
    private static final Logger LOG = LoggerFactory.getLogger(Restarts.class);
    static final int MAX = 2;
    /** How long a source that changed during its upload may go on changing before the transfer gives up. */
    private static final Duration SETTLE_MAX = Duration.ofMinutes(5);

    /** Transfers whose source changed, waiting for their next plan, with why. */
    private final Map<String, String> pending = new ConcurrentHashMap<>();

    @FunctionalInterface
    interface Run {
        TransferResult run() throws TransferFailedException;
    }

    @FunctionalInterface
    interface GiveUp {
        void after(TransferFailedException last, int restarts);
    }

    /** The transfer's source changed ({@code why}): its next plan starts afresh. */
    void pending(String id, String why) {
        pending.put(id, why);
    }

    void forget(String id) {
        pending.remove(id);
    }

    /**
     * For a plan: why the transfer restarts, or null when it is not a restart. An upload's source is first waited
     * for to settle, since sending a file that is still being written would only fail again at the finish.
     */
    String take(TransferRequest request) throws IOException {
        String why = pending.remove(request.id());
        if (why != null && request.direction() == Direction.UPLOAD) {
            SourceCheck.awaitSettled(Path.of(request.localPath()), SETTLE_MAX);
        }
        return why;
    }

    /** Runs {@code first}, then {@code again} while the source changed under it, up to {@link #MAX} times. */
    TransferResult run(TransferRequest accepted, Run first, Run again, GiveUp giveUp) throws TransferFailedException {
        Run attempt = first;
        for (int restart = 0; ; restart++) {
            try {
                return attempt.run();
            } catch (TransferFailedException e) {
                if (!(e.getCause() instanceof SourceChangedException)) {
                    throw e;
                }
                if (restart >= MAX) {
                    pending.remove(accepted.id());
                    giveUp.after(e, restart);
                    throw e;
                }
                // The next plan starts afresh, after the file settles; its restarted event logs why, in one line.
                LOG.warn("{} {}; starting over", accepted.id(), e.getMessage());
                attempt = again;
            }
        }
    }
}
