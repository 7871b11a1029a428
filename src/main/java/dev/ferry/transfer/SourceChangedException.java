package dev.ferry.transfer;

import java.io.IOException;

/** The source is not the version the partial data came from: the transfer must start again, never splice. */
public final class SourceChangedException extends IOException {
    public SourceChangedException(String message) {
        super(message);
    }
}
