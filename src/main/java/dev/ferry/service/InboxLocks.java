package dev.ferry.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One service per inbox, held for the service's life: a lock on {@code <inbox>/.ferry.lock}. With it the inbox
 * routes need no marker file per drop (Camel's {@code readLockMarkerFile}), which guards against another process
 * taking the same file but costs a file created and deleted in the inbox for every drop, the largest single cost of
 * a burst of small files. A second service pointed at the same folder (a shared PostgreSQL ledger does not stop it)
 * is refused at start instead. The lock file is hidden, so the inbox never takes it as a drop.
 */
final class InboxLocks implements AutoCloseable {
    static final String LOCK_FILE = ".ferry.lock";

    private final List<FileChannel> held;

    private InboxLocks(List<FileChannel> held) {
        this.held = held;
    }

    /** Nothing held: the inboxes are shared by elected nodes ({@link InboxElection}), which decides who takes them. */
    static InboxLocks none() {
        return new InboxLocks(List.of());
    }

    /** Locks every folder, or none: the first one another service holds is named in the exception. */
    static InboxLocks take(Path... inboxes) {
        List<FileChannel> held = new ArrayList<>();
        try {
            for (Path inbox : new java.util.LinkedHashSet<>(List.of(inboxes))) {
                Path file = inbox.resolve(LOCK_FILE);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                held.add(ch);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held by this JVM: another service in the same process
                }
                if (lock == null) {
                    throw new IllegalStateException("the inbox " + inbox + " is served by another Ferry service"
                            + " (it holds " + file + "); stop that service, or give this one other folders"
                            + " (ferry.inbox.upload, ferry.inbox.requests)");
                }
            }
            return new InboxLocks(held);
        } catch (IOException e) {
            closeAll(held);
            throw new UncheckedIOException("cannot lock the inbox folders: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(held);
            throw e;
        }
    }

    @Override
    public void close() {
        closeAll(held);
    }

    private static void closeAll(List<FileChannel> channels) {
        for (FileChannel ch : channels) {
            try {
                ch.close(); // releases its lock
            } catch (IOException ignored) {
                // Closing the JVM releases it anyway.
            }
        }
    }
}
