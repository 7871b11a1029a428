package dev.ferry.plan;

/** A name that could write outside its directory: refused, never "cleaned up" into something else. */
public final class UnsafePathException extends IllegalArgumentException {
    public UnsafePathException(String message) {
        super(message);
    }
}
