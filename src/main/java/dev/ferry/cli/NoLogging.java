package dev.ferry.cli;

/**
 * A command-line process without {@code --verbose} logs nothing ({@link CliLogging}); binding SLF4J to its no-op
 * provider then spares it logback's start (its configuration parsed as XML: ~600 classes, a third of the start-up).
 * Only for a process the command line owns, and only before anything has logged: later, SLF4J keeps its binding and
 * {@link CliLogging}'s filter silences logback instead.
 */
final class NoLogging {
    private static volatile boolean processOwned;

    private NoLogging() {
    }

    /** Called by {@code ferry.jar}'s main: this JVM runs one command and exits. */
    static void processOwned() {
        processOwned = true;
    }

    static void bindIfQuiet(boolean verbose) {
        if (verbose || !processOwned || System.getProperty("slf4j.provider") != null) {
            return;
        }
        System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        // SLF4J would say on stderr that it took the provider named by the property.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
    }
}
