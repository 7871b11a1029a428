package dev.ferry.camel;

import dev.ferry.source.OpenWriters;
import dev.ferry.source.WriterSnapshot;
import java.nio.file.Path;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The upload inbox's readiness filter: a file some process still holds open for writing is left for a later poll,
 * however long its writer pauses (readLock=changed alone takes it after a quiet pause). Camel runs it on every
 * listed file at every poll, so it costs a stat per file and at most one /proc pass per poll, shared with the
 * checks at the finish ({@link OpenWriters}); a file that changed after the latest pass, or that the pass saw being
 * written, waits for the next poll's pass. A writer that opens a file after the pass is caught by the checks at
 * the finish. Directories pass: what to do with them is the route's business.
 *
 * <p>Camel runs a filter before it skips the files already in progress, so with the consumer's in-progress
 * repository (the upload inbox's {@code ferryUploadInProgress}) a file whose exchange is running passes without a
 * look: Camel skips it right after. Without it, 1,000 waiting drops cost 1,000 stats and a {@code /proc} pass at
 * every 50 ms poll until the last is done (#16.4).
 */
public final class NotBeingWritten implements GenericFileFilter<Object> {
    /**
     * Below the inbox's poll interval (50 ms by default): a pass that ended this recently is this poll's, and no
     * second one is made for it -- however many files it lists, and however long a loaded machine takes to scan.
     */
    private static final long POLL_NANOS = 20_000_000L;

    /** How long a folder's real path is reused: a folder moved or relinked meanwhile is looked up again. */
    private static final long FOLDER_NANOS = 1_000_000_000L;

    private final IdempotentRepository inProgress;
    private String folder;
    private String realFolder;
    private long folderResolvedAt;

    public NotBeingWritten() {
        this(null);
    }

    /** @param inProgress the consumer's in-progress repository (keys: absolute paths), or null */
    public NotBeingWritten(IdempotentRepository inProgress) {
        this.inProgress = inProgress;
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        if (file.isDirectory()) {
            return true;
        }
        if (inProgress != null && inProgress.contains(file.getAbsoluteFilePath())) {
            return true; // its exchange runs: Camel skips it next, and it was looked at when it was taken
        }
        if (FilingTrouble.waiting(file.getAbsoluteFilePath())) {
            return false; // it could not be filed a moment ago: tried again once its wait is over
        }
        if (ServerAwayFiles.held(file.getAbsoluteFilePath(), file.getFileLength(), file.getLastModified())) {
            return false; // a request whose server cannot be reached: taken again when it answers
        }
        OpenWriters.Stamp stamp = stamp(Path.of(file.getAbsoluteFilePath()));
        if (stamp == null) {
            return true; // gone: Camel says so
        }
        WriterSnapshot pass = OpenWriters.latest();
        boolean thisPoll = pass != null && pass.ageNanos() < POLL_NANOS;
        if (pass == null || !pass.answersFor(stamp.changed(), OpenWriters.MAX_AGE_NANOS)) {
            if (thisPoll) {
                return false; // changed since this poll's pass: it is being written now, or was a moment ago
            }
            pass = OpenWriters.since(stamp.changed());
        } else if (!thisPoll && pass.writerOf(stamp.realPath()) >= 0) {
            // Seen being written by an earlier poll's pass: its writer may have closed since.
            pass = OpenWriters.snapshot();
        }
        return pass.writerOf(stamp.realPath()) < 0;
    }

    /** The file's stamp with one stat: its folder's real path is kept, as every file of a poll shares it. */
    private synchronized OpenWriters.Stamp stamp(Path file) {
        Path parent = file.getParent();
        if (parent == null) {
            return OpenWriters.Stamp.of(file);
        }
        String dir = parent.toString();
        long now = System.nanoTime();
        if (!dir.equals(folder) || realFolder == null || now - folderResolvedAt > FOLDER_NANOS) {
            realFolder = OpenWriters.realPath(parent);
            folder = dir;
            folderResolvedAt = now;
        }
        return realFolder == null ? null : OpenWriters.Stamp.in(realFolder, file.getFileName().toString());
    }
}
