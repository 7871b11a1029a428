package dev.ferry.camel;

import dev.ferry.source.OpenWriters;
import java.nio.file.Path;
import java.util.Set;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * The upload inbox's readiness filter: a file some process still holds open for writing is left for a later poll,
 * however long its writer pauses (readLock=changed alone takes it after a quiet pause). One scan of /proc serves a
 * poll's files; a file opened after that scan is caught by the checks at the finish. Directories pass: what to do
 * with them is the route's business.
 */
public final class NotBeingWritten implements GenericFileFilter<Object> {
    /**
     * Below the inbox's poll interval (50 ms by default): one scan per poll, however many files it lists, and never
     * a scan from an earlier poll.
     */
    private static final long SNAPSHOT_NANOS = 20_000_000L;

    private Set<String> writing = Set.of();
    private String scannedDir;
    private long scannedAt;

    @Override
    public synchronized boolean accept(GenericFile<Object> file) {
        if (file.isDirectory()) {
            return true;
        }
        Path path = Path.of(file.getAbsoluteFilePath());
        String real = OpenWriters.realPath(path);
        if (real == null) {
            return true;
        }
        String dir = path.getParent() == null ? "/" : path.getParent().toString();
        long now = System.nanoTime();
        if (!dir.equals(scannedDir) || now - scannedAt > SNAPSHOT_NANOS) {
            writing = OpenWriters.openForWriting(path.getParent());
            scannedDir = dir;
            scannedAt = now;
        }
        return !writing.contains(real);
    }
}
