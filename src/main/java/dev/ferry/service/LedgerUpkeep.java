package dev.ferry.service;

import dev.ferry.DaemonThreads;
import dev.ferry.ledger.JdbcLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger from growing without end: a minute after the start and every hour after, the published transfers
 * and finished folder runs older than {@code ferry.ledger.keep-days} leave it ({@link dev.ferry.ledger.Retention}).
 * Every node of a shared ledger does it; the rows go once.
 */
final class LedgerUpkeep {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerUpkeep.class);
    static final long FIRST_MINUTES = 1;
    static final long EVERY_MINUTES = 60;

    private LedgerUpkeep() {
    }

    /** @return the loop to shut down at the stop; null when {@code keepDays} is 0 (kept for ever) */
    static ScheduledExecutorService start(JdbcLedger ledger, int keepDays) {
        if (keepDays <= 0) {
            return null;
        }
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("ferry-ledger-upkeep"));
        loop.scheduleWithFixedDelay(() -> prune(ledger, keepDays), FIRST_MINUTES, EVERY_MINUTES, TimeUnit.MINUTES);
        return loop;
    }

    static int prune(JdbcLedger ledger, int keepDays) {
        try {
            int gone = ledger.retention().prune(Instant.now().minus(Duration.ofDays(keepDays)));
            if (gone > 0) {
                LOG.info("{} transfer(s) and folder run(s) finished more than {} day(s) ago left the ledger"
                        + " (ferry.ledger.keep-days)", gone, keepDays);
            }
            return gone;
        } catch (RuntimeException e) {
            // The ledger away: the next round tries again, and nothing waits for this one.
            LOG.warn("finished transfers could not be pruned from the ledger: {}", e.getMessage());
            return 0;
        }
    }
}
