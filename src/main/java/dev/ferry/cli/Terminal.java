package dev.ferry.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether the progress output's own stream is a terminal. {@code System.console()} says so of stdin and stdout,
 * not of stderr, where the progress goes: {@code 2>err.log} on a terminal would fill the log with redrawn bars. So
 * stderr itself is asked: on Linux where {@code /proc/self/fd/2} leads, elsewhere {@code test -t 2}.
 */
final class Terminal {
    private Terminal() {
    }

    /** True only for the process's own stderr, and only when it is a terminal; any other stream is a pipe or file. */
    static boolean isTerminal(PrintStream stream) {
        if (stream != System.err) {
            return false;
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }
        return System.console() != null && testT2();
    }

    /** {@code sh -c 'test -t 2'} with this process's stderr: the shell's own answer about the same descriptor. */
    private static boolean testT2() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "test -t 2")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
