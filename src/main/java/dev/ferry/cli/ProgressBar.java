package dev.ferry.cli;

import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.progress.Units;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The command line's progress on stderr: on a terminal one bar redrawn in place (cleared to the end of the line, so
 * a shorter line leaves no tail); in a pipe or file plain lines, one whenever the percent has moved 10 points and at
 * least every {@code plainEvery} (a stalled transfer still shows that it is alive), so a scripted run's log says how
 * far it got. Retries are lines of their own in both.
 */
final class ProgressBar implements TransferListener {
    private static final int WIDTH = 30;
    /** ANSI "erase to end of line". */
    private static final String CLEAR_EOL = "\u001b[K";
    private static final int PLAIN_STEP_PERCENT = 10;

    private final PrintStream out;
    private final boolean terminal;
    private final long plainEveryNanos;
    private final LongSupplier nanoTime;
    private long lastPlainAt;
    private int lastPlainPercent = -1;
    private boolean drawn;

    ProgressBar(PrintStream out, boolean terminal, Duration plainEvery) {
        this(out, terminal, plainEvery, System::nanoTime);
    }

    ProgressBar(PrintStream out, boolean terminal, Duration plainEvery, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.plainEveryNanos = plainEvery.toNanos();
        this.nanoTime = nanoTime;
        this.lastPlainAt = nanoTime.getAsLong();
    }

    @Override
    public synchronized void resumed(TransferView t, long bytesAlreadyThere) {
        line("resuming: " + Units.bytes(bytesAlreadyThere) + " of " + Units.bytes(t.size()) + " already in place");
    }

    @Override
    public synchronized void restarted(TransferView t, String why) {
        line("starting over: " + why);
    }

    @Override
    public synchronized void stepRetry(TransferView t, String step, Throwable cause, Duration delay, int nextTry,
                                       int plannedTries) {
        line("retrying in " + pause(delay) + " (attempt " + nextTry + " of " + plannedTries + "): "
                + cause.getMessage());
    }

    @Override
    public synchronized void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        line("segment " + segment + ": retrying in " + pause(delay) + ": " + cause.getMessage());
    }

    @Override
    public synchronized void progress(TransferView t) {
        String text = String.format(Locale.ROOT, "%3d%% %s of %s  %s  ETA %s", t.percent(), Units.bytes(t.bytesDone()),
                Units.bytes(t.size()), Units.rate(t.rate()), Units.seconds(t.etaSeconds()));
        if (terminal) {
            int filled = t.percent() * WIDTH / 100;
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + text + CLEAR_EOL);
            out.flush();
            drawn = true;
            return;
        }
        long now = nanoTime.getAsLong();
        boolean moved = lastPlainPercent < 0 ? t.bytesMoved() > 0 : t.percent() >= lastPlainPercent + PLAIN_STEP_PERCENT;
        if (moved || now - lastPlainAt >= plainEveryNanos) {
            lastPlainAt = now;
            lastPlainPercent = t.percent();
            out.println(text);
        }
    }

    @Override
    public synchronized void transferEnd(TransferView t) {
        if (terminal) {
            out.print("\r[" + "#".repeat(WIDTH) + "] 100% " + Units.bytes(t.size()) + CLEAR_EOL + "\n");
            out.flush();
            drawn = false;
        }
    }

    /** A line of its own; on a terminal it replaces the bar, which the next progress event draws again below it. */
    private void line(String text) {
        if (drawn) {
            out.print("\r" + CLEAR_EOL);
            drawn = false;
        }
        out.println(text);
        out.flush();
    }

    /** 0.4 s below a second, whole seconds above: what a person waits for. */
    static String pause(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : (ms + 500) / 1000 + " s";
    }
}
