package dev.ferry.camel;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops whose filing in {@code .done/} or {@code .failed/} failed (the disk full, out of inodes, a file in the way of
 * the folder), or whose transfer the ledger could not record ({@link #ledgerAway}): they stay in the inbox and are tried again later, less and less often, instead of at every 50 ms poll
 * -- each try ran the drop's transfer step again (a login, a listing) and logged a stack trace, 100 % of a core and
 * megabytes of log a second, for as long as the folder stayed unusable. One line says what is wrong the first time,
 * and again only as the waits grow. Kept per process by the drop's absolute path; a drop that left the inbox is
 * forgotten at the next failure.
 */
public final class FilingTrouble {
    private static final Logger LOG = LoggerFactory.getLogger(FilingTrouble.class);
    static final long FIRST_WAIT_MILLIS = 1_000;
    static final long LONGEST_WAIT_MILLIS = 60_000;
    private static final Map<String, Trouble> TROUBLES = new ConcurrentHashMap<>();

    private record Trouble(int failures, long retryAtMillis, long waitMillis) {
        /** The 1st, 2nd, 4th, 8th ... failure in a row: worth a line, as the wait has doubled since the last one. */
        boolean news() {
            return (failures & (failures - 1)) == 0;
        }
    }

    private FilingTrouble() {
    }

    /**
     * Records that {@code drop} could not be filed, for {@code why}, and says so when it is news: the first failure,
     * and each time the wait doubles up to its longest.
     */
    public static void failed(Path drop, String why) {
        Trouble t = waitMore(drop);
        if (t.news()) {
            LOG.warn("{} cannot be filed ({}); it stays in the inbox and is tried again in {} s, then less often:"
                    + " make .done/ and .failed/ next to it writable folders with free space", drop.getFileName(),
                    why, t.waitMillis() / 1000);
        }
    }

    /**
     * Records that {@code drop}'s transfer could not be recorded or its outcome read because the ledger cannot be
     * reached (the database stopped or restarting, the network to it cut): the drop did not fail, and waits the same
     * way. Such drops went to .failed/ with "put the file into the inbox again once the database answers", one by
     * one, and a drop published just as the ledger went away was filed as failed though the server had it.
     */
    public static void ledgerAway(Path drop, String why) {
        Trouble t = waitMore(drop);
        if (t.news()) {
            LOG.warn("{} waits in the inbox: the ledger cannot be reached ({}); tried again in {} s, then less often,"
                    + " until it answers", drop.getFileName(), why, t.waitMillis() / 1000);
        }
    }

    /** One more failure of {@code drop} in a row, and its next wait. */
    private static Trouble waitMore(Path drop) {
        TROUBLES.keySet().removeIf(p -> !Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS));
        Trouble before = TROUBLES.get(key(drop));
        int failures = before == null ? 1 : before.failures + 1;
        long wait = Math.min(LONGEST_WAIT_MILLIS, FIRST_WAIT_MILLIS << Math.min(16, failures - 1));
        Trouble t = new Trouble(failures, System.currentTimeMillis() + wait, wait);
        TROUBLES.put(key(drop), t);
        return t;
    }

    /** Whether {@code drop} waits before its next try; a drop whose wait ran out is taken (and tried) again. */
    public static boolean waiting(String absolutePath) {
        Trouble t = TROUBLES.get(absolutePath);
        return t != null && System.currentTimeMillis() < t.retryAtMillis;
    }

    private static String key(Path drop) {
        return drop.toAbsolutePath().normalize().toString();
    }
}
