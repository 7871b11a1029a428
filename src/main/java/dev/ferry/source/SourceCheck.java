package dev.ferry.source;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The check before an upload is published, and before its drop is put away: is the local file still the version
 * that was sent, and has nobody got it open to write more? And, when it is not, the wait for it to settle before
 * the transfer starts over -- so correctness never depends on how long a writer pauses.
 */
public final class SourceCheck {
    /** A file is settled once no process has it open for writing and it has not changed for this long. */
    static final Duration QUIET = Duration.ofSeconds(1);
    private static final long POLL_MILLIS = 250;

    private SourceCheck() {
    }

    /**
     * Why {@code file} is not (or no longer) the version that was sent, in a few words; null when it is. Includes
     * a look for a process that still has it open for writing: a /proc pass that began after the file last changed
     * ({@link OpenWriters#writerOf}, shared with the other files that ask meanwhile). The file is compared after
     * that pass has ended, so a writer that wrote and closed while the pass ran shows up as a change.
     */
    public static String changed(Path file, SourceState sent) throws IOException {
        return changed(file, sent, null);
    }

    /**
     * {@link #changed(Path, SourceState)}, where a file whose change time alone moved is the version that was sent if
     * {@code sameBytes} finds its bytes on the server ({@link #differs(Path, SourceState, SameBytes)}).
     */
    public static String changed(Path file, SourceState sent, SameBytes sameBytes) throws IOException {
        long writer = OpenWriters.writerOf(file);
        String why = differs(file, sent, sameBytes);
        if (why != null) {
            return why;
        }
        return writer < 0 ? null : "process " + writer + " still has it open for writing";
    }

    /**
     * {@link #changed} without the look for writers: size, time, identity and (where sent) SHA-256 only -- read again
     * only when the change time does not prove that nothing was written since the sent one was taken.
     */
    public static String differs(Path file, SourceState sent) throws IOException {
        return differs(file, sent, null);
    }

    /**
     * {@link #differs(Path, SourceState)}; when only the file's change time moved -- its attributes changed
     * ({@code chmod}, an antivirus's extended attribute), or it was rewritten with its size and time put back --
     * {@code sameBytes} (null: none) is asked whether the server's copy has the file's bytes as they are now, read
     * while the file held still. If it has, the file is the version that was sent, and is not sent again.
     */
    public static String differs(Path file, SourceState sent, SameBytes sameBytes) throws IOException {
        SourceState now;
        try {
            now = SourceState.now(file, sent);
        } catch (NoSuchFileException e) {
            return "it was removed";
        }
        String why = now.differenceFrom(sent);
        if (why != null && sameBytes != null && now.onlyChangeTimeMovedFrom(sent)
                && SourceState.heldStillWhile(file, sameBytes)) {
            return null;
        }
        return why;
    }

    /**
     * Waits until no process has {@code file} open for writing and it stayed the same for {@link #QUIET}, at most
     * {@code max}; returns at once when the file is gone (the next step says so).
     *
     * @throws IOException when it is still changing after {@code max}, naming the file
     */
    public static void awaitSettled(Path file, Duration max) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        SourceState last = null;
        long quietSince = System.nanoTime();
        while (true) {
            SourceState now;
            try {
                now = SourceState.of(file, false);
            } catch (NoSuchFileException e) {
                return;
            }
            boolean written = OpenWriters.writerOf(file) >= 0;
            if (written || last == null || now.differenceFrom(last) != null) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= QUIET.toNanos()) {
                return;
            }
            last = now;
            if (System.nanoTime() > deadline) {
                throw new IOException("the local file " + file + " is still being written after " + max.toSeconds()
                        + " s; drop it again once it is complete");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while " + file + " settled");
            }
        }
    }
}
