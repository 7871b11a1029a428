package dev.ferry.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Copies one direction of a {@link ProxyLink} through a fixed buffer, applying its fault and throttle.
 * Runs on its own thread and ends when its source ends or the link closes.
 */
final class Pump implements Runnable {

    static final int BUFFER = 16 * 1024;

    /** Reads the next chunk of at most {@code max} bytes into {@code buffer}; -1 at end of stream. */
    interface Source {
        int read(byte[] buffer, int max) throws IOException;
    }

    private final ProxyLink link;
    private final Source source;
    private final Socket target;
    private final AtomicLong counter;
    private final LongSupplier bytesPerSecond;

    Pump(ProxyLink link, Source source, Socket target, AtomicLong counter, LongSupplier bytesPerSecond) {
        this.link = link;
        this.source = source;
        this.target = target;
        this.counter = counter;
        this.bytesPerSecond = bytesPerSecond;
    }

    static Source raw(Socket from) throws IOException {
        var in = from.getInputStream();
        return (buffer, max) -> in.read(buffer, 0, max);
    }

    @Override
    public void run() {
        byte[] buffer = new byte[BUFFER];
        long paceRate = 0;
        long paceStart = 0;
        long paceBytes = 0;
        try {
            OutputStream out = target.getOutputStream();
            while (true) {
                long rate = bytesPerSecond.getAsLong();
                // Small chunks under a throttle, so the rate is smooth rather than bursts and pauses.
                int max = rate > 0 ? (int) Math.max(256, Math.min(BUFFER, rate / 20)) : BUFFER;
                int n = source.read(buffer, max);
                if (n < 0) {
                    link.endOfStream(target);
                    return;
                }
                if (link.stalled()) {
                    link.awaitClosed(-1);
                    return;
                }
                int allowed = link.admit(n);
                if (allowed > 0) {
                    out.write(buffer, 0, allowed);
                    out.flush();
                    counter.addAndGet(allowed);
                }
                if (link.faultDue()) {
                    link.fire();
                    if (link.stalled()) {
                        link.awaitClosed(-1);
                    }
                    return;
                }
                if (rate > 0) {
                    if (rate != paceRate) {
                        paceRate = rate;
                        paceStart = System.nanoTime();
                        paceBytes = 0;
                    }
                    paceBytes += allowed;
                    long due = paceStart + TimeUnit.SECONDS.toNanos(paceBytes) / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0 && link.awaitClosed(wait)) {
                        return;
                    }
                } else {
                    paceRate = 0;
                }
            }
        } catch (IOException e) {
            // A peer reset or the link was cut or closed: end both directions.
            link.close();
        }
    }
}
