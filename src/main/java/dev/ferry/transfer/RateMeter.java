package dev.ferry.transfer;

/** Bytes per second, smoothed over a few seconds of samples, so a bar does not jump with every buffer. */
final class RateMeter {
    private static final double SMOOTHING = 0.3;
    private long lastBytes = -1;
    private long lastNanos;
    private double rate;

    synchronized void sample(long totalBytes, long nanos) {
        if (lastBytes >= 0 && nanos - lastNanos > 100_000_000L) {
            double current = (totalBytes - lastBytes) * 1e9 / (nanos - lastNanos);
            rate = rate == 0 ? current : SMOOTHING * current + (1 - SMOOTHING) * rate;
        } else if (lastBytes >= 0) {
            return;
        }
        lastBytes = totalBytes;
        lastNanos = nanos;
    }

    synchronized double rate() {
        return rate;
    }
}
