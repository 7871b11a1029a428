package dev.ferry.tree;

import java.util.concurrent.atomic.LongAdder;

/**
 * What this process's trees have done since it started, for the metrics page: a tree's files are ordinary transfers
 * there too, but the files a mirror run skips or refuses never become transfers and would be counted nowhere else.
 * Process-wide, as the metrics are; {@link TreeRun} adds a tree's counts when it ends.
 */
public final class TreeCounters {
    private static final LongAdder TREES = new LongAdder();
    private static final LongAdder INCOMPLETE = new LongAdder();
    private static final LongAdder TRANSFERRED = new LongAdder();
    private static final LongAdder SKIPPED = new LongAdder();
    private static final LongAdder FAILED = new LongAdder();
    private static final LongAdder REFUSED = new LongAdder();
    private static final LongAdder BYTES = new LongAdder();

    private TreeCounters() {
    }

    static void ended(TreeResult r) {
        TREES.increment();
        if (!r.complete()) {
            INCOMPLETE.increment();
        }
        TRANSFERRED.add(r.transferred());
        SKIPPED.add(r.skipped());
        FAILED.add(r.failed());
        REFUSED.add(r.refused());
        BYTES.add(r.bytesMoved());
    }

    /** The counts now. */
    public static Snapshot snapshot() {
        return new Snapshot(TREES.sum(), INCOMPLETE.sum(), TRANSFERRED.sum(), SKIPPED.sum(), FAILED.sum(),
                REFUSED.sum(), BYTES.sum());
    }

    /** The trees running in this process now ({@link TreeState}): how many, their files found and done. */
    public static Running running() {
        int trees = 0;
        long files = 0;
        long done = 0;
        for (dev.ferry.progress.TreeView t : TreeState.running()) {
            trees++;
            files += t.files();
            done += t.filesDone();
        }
        return new Running(trees, files, done);
    }

    public record Running(int trees, long files, long filesDone) {
    }

    /** Trees ended (and of those, with a file failed or refused); their files by outcome; bytes moved. */
    public record Snapshot(long trees, long incomplete, long transferred, long skipped, long failed, long refused,
                           long bytes) {
    }
}
