package dev.ferry.transfer;

import java.io.IOException;

/** A failure of the local disk (full, read-only, gone): retrying the network will not help, a person must act. */
public final class LocalFileException extends IOException {
    private final boolean targetExists;

    public LocalFileException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private LocalFileException(String message, Throwable cause, boolean targetExists) {
        super(message, cause);
        this.targetExists = targetExists;
    }

    /** The download's target is taken and fileExist says to keep it: nothing failed, a person chooses. */
    static LocalFileException targetExists(String message) {
        return new LocalFileException(message, null, true);
    }

    /** Whether the failure is only that the target exists (see {@link #targetExists(String)}). */
    public boolean isTargetExists() {
        return targetExists;
    }

    static LocalFileException writing(java.nio.file.Path file, IOException e) {
        String m = String.valueOf(e.getMessage());
        boolean part = PART.matcher(String.valueOf(file.getFileName())).matches();
        if (part && (e instanceof java.nio.file.FileAlreadyExistsException
                || e instanceof java.nio.file.NoSuchFileException)) {
            // The part file was made or removed under this transfer: another process works on the same file. Its
            // bare path (the JDK's whole message for these) said nothing of that.
            return new LocalFileException("cannot write " + file + describeTarget(file) + ": it was "
                    + (e instanceof java.nio.file.NoSuchFileException ? "removed" : "made")
                    + " meanwhile by another process, most likely another Ferry with a ledger of its own downloading"
                    + " the same file; run one download of a local file at a time, then run this one again", e);
        }
        if (e instanceof java.nio.channels.ClosedByInterruptException) {
            // Its message is null, and the advice below would send someone to look at a healthy disk.
            return new LocalFileException("cannot write " + file + describeTarget(file) + ": interrupted (the transfer"
                    + " is stopping); it resumes from its last checkpoint", e);
        }
        String advice = m.contains("No space left") || m.contains("Disk quota")
                ? "the local disk is full; free space and run the transfer again to resume"
                : "check that the directory exists and is writable, then run the transfer again to resume";
        return new LocalFileException("cannot write " + file + describeTarget(file) + " (" + m + "): " + advice, e);
    }

    /** A hidden part file's name hides the file a person asked for: name that one too. */
    private static String describeTarget(java.nio.file.Path file) {
        java.util.regex.Matcher m = PART.matcher(String.valueOf(file.getFileName()));
        return m.matches() ? ", the partial download of " + file.resolveSibling(m.group(1)) : "";
    }

    private static final java.util.regex.Pattern PART =
            java.util.regex.Pattern.compile("^\\.(.+)\\.ferry-[0-9a-f]+\\.part$");

    static LocalFileException reading(java.nio.file.Path file, IOException e) {
        return new LocalFileException("cannot read " + file + " (" + e.getMessage() + ")", e);
    }
}
