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
final class FaultSummary {
    static final Path FILE = Path.of(System.getProperty("ferry.fault.summary", "target/fault-summary.txt"));

    final AtomicLong rounds = new AtomicLong();
    final AtomicLong faults = new AtomicLong();
    final AtomicLong verified = new AtomicLong();
    final AtomicLong failedClearly = new AtomicLong();
    final AtomicLong resent = new AtomicLong();
    private final String name;
    private final long seed;

    FaultSummary(Class<?> test, long seed) {
        this.name = test.getSimpleName();
        this.seed = seed;
        System.out.println(name + ": seed " + seed + " (set -Dferry.fault.seed=" + seed + " to repeat)");
    }

    /** The seed: -Dferry.fault.seed if given, else a fixed default per class. */
    static long seed(long fallback) {
        return Long.getLong("ferry.fault.seed", fallback);
    }

    String line() {
        return "FAULT-SUMMARY class=" + name + " seed=" + seed + " rounds=" + rounds + " faults=" + faults
                + " verified=" + verified + " failedClearly=" + failedClearly + " resent=" + resent;
    }

    void print() {
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
