package dev.ferry.cli;

import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.progress.Units;
import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line bar redrawn in place on a terminal; plain lines every few seconds when the output is a pipe or a
 * file, so a log of a scripted run stays readable.
 */
final class ProgressBar implements TransferListener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private final long plainEveryNanos;
    private long lastPlain;
    private boolean drawn;

    ProgressBar(PrintStream out, boolean terminal, Duration plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.plainEveryNanos = plainEvery.toNanos();
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
    public synchronized void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        line("segment " + segment + ": " + cause.getMessage() + " — retrying in " + delay.toMillis() + " ms");
    }

    @Override
    public synchronized void progress(TransferView t) {
        String text = String.format("%3d%% %s of %s  %s  ETA %s", t.percent(), Units.bytes(t.bytesDone()),
                Units.bytes(t.size()), Units.rate(t.rate()), Units.seconds(t.etaSeconds()));
        if (terminal) {
            int filled = t.percent() * WIDTH / 100;
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + text + "   ");
            out.flush();
            drawn = true;
        } else {
            long now = System.nanoTime();
            if (now - lastPlain >= plainEveryNanos) {
                lastPlain = now;
                out.println(text);
            }
        }
    }

    @Override
    public synchronized void transferEnd(TransferView t) {
        if (terminal) {
            int filled = WIDTH;
            out.print("\r[" + "#".repeat(filled) + "] 100% " + Units.bytes(t.size()) + "\n");
            drawn = false;
        }
    }

    private void line(String text) {
        if (drawn) {
            out.print("\n");
            drawn = false;
        }
        out.println(text);
    }
}
