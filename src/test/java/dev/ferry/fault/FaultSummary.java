package dev.ferry.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counts a fault test class prints when it ends, one line, also appended to {@code target/fault-summary.txt}:
 * {@code FAULT-SUMMARY class=.. seed=.. rounds=.. faults=.. verified=.. resent=..}.
 */
public final class FaultSummary {
    static final Path FILE = Path.of(System.getProperty("ferry.fault.summary", "target/fault-summary.txt"));

    public final AtomicLong rounds = new AtomicLong();
    public final AtomicLong faults = new AtomicLong();
    public final AtomicLong verified = new AtomicLong();
    public final AtomicLong failedClearly = new AtomicLong();
    public final AtomicLong resent = new AtomicLong();
    /** More counts of one test, as " name=value" pairs after the common ones (e.g. the cluster test's). */
    public volatile String more = "";
    private final String name;
    private final long seed;

    public FaultSummary(Class<?> test, long seed) {
        this.name = test.getSimpleName();
        this.seed = seed;
        System.out.println(name + ": seed " + seed + " (set -Dferry.fault.seed=" + seed + " to repeat)");
    }

    /** The seed: -Dferry.fault.seed if given, else a fixed default per class. */
    public static long seed(long fallback) {
        return Long.getLong("ferry.fault.seed", fallback);
    }

    public String line() {
        return "FAULT-SUMMARY class=" + name + " seed=" + seed + " rounds=" + rounds + " faults=" + faults
                + " verified=" + verified + " failedClearly=" + failedClearly + " resent=" + resent + more;
    }

    public void print() {
        String line = line();
        System.out.println(line);
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("cannot write " + FILE + ": " + e);
        }
    }
}
