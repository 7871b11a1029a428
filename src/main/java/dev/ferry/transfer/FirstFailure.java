package dev.ferry.transfer;

/**
 * The rule for a transfer whose segments fail together: the first real failure is the reason, and a cancellation
 * that only followed it (the other segments stopped because of it) never hides it. Used by the engine's own segment
 * threads and by the Camel split's aggregation alike.
 */
public final class FirstFailure<T extends Throwable> {
    private T failure;
    private int segment = -1;

    /** Offers one segment's failure; kept if it is the first, or the first that is not a cancel. */
    public synchronized void offer(int index, T cause) {
        if (failure == null || (isCancel(failure) && !isCancel(cause))) {
            failure = cause;
            segment = index;
        }
    }

    /** The failure that won, or null when none was offered. */
    public synchronized T get() {
        return failure;
    }

    /** The segment whose failure won, or -1. */
    public synchronized int segment() {
        return segment;
    }

    /** A cancel anywhere in the cause chain. */
    public static boolean isCancel(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CancelledException) {
                return true;
            }
        }
        return false;
    }
}
