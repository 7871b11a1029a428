package dev.ferry.transfer;

/** When the next checkpoint is due: every so many bytes or so many milliseconds, whichever comes first. */
final class Checkpoints {
    private final long everyBytes;
    private final long everyNanos;
    private long bytesSince;
    private long last = System.nanoTime();

    Checkpoints(long everyBytes, long everyMillis) {
        this.everyBytes = everyBytes;
        this.everyNanos = everyMillis * 1_000_000L;
    }

    boolean due(int justMoved) {
        bytesSince += justMoved;
        long now = System.nanoTime();
        if (bytesSince >= everyBytes || now - last >= everyNanos) {
            bytesSince = 0;
            last = now;
            return true;
        }
        return false;
    }
}
