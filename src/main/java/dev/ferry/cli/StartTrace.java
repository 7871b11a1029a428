package dev.ferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code -Dferry.trace}: one line per phase of a command-line run on stderr, with the wall time since the JVM started
 * and the process's CPU time (all threads) so far. CPU, read from the kernel's accounting, says what a phase costs
 * even on a machine shared with other work, where wall times mostly measure the wait for a core.
 */
final class StartTrace {
    private static final boolean ON = System.getProperty("ferry.trace") != null;
    private static final long TICK_NS = 10_000_000L; // USER_HZ is 100 on Linux

    private StartTrace() {
    }

    static void mark(String phase) {
        if (!ON) {
            return;
        }
        long[] t = stat();
        System.err.printf("ferry-trace %-24s wall %5d ms  cpu %5d ms%n", phase, t[0], t[1]);
    }

    /** Wall ms since the process started, CPU ms so far; -1 without /proc. */
    private static long[] stat() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NS / 1_000_000;
            long start = Long.parseLong(f[19]) * TICK_NS / 1_000_000;
            String up = Files.readString(Path.of("/proc/uptime"));
            long now = (long) (Double.parseDouble(up.substring(0, up.indexOf(' '))) * 1000);
            return new long[] {now - start, cpu};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }
}
