package dev.ferry.transfer;

import java.io.IOException;

/** A failure of the local disk (full, read-only, gone): retrying the network will not help, a person must act. */
public final class LocalFileException extends IOException {
    public LocalFileException(String message, Throwable cause) {
        super(message, cause);
    }

    static LocalFileException writing(java.nio.file.Path file, IOException e) {
        String m = String.valueOf(e.getMessage());
        String advice = m.contains("No space left") || m.contains("Disk quota")
                ? "the local disk is full; free space and run the transfer again to resume"
                : "check that the directory exists and is writable, then run the transfer again to resume";
        return new LocalFileException("cannot write " + file + " (" + m + "): " + advice, e);
    }

    static LocalFileException reading(java.nio.file.Path file, IOException e) {
        return new LocalFileException("cannot read " + file + " (" + e.getMessage() + ")", e);
    }
}
