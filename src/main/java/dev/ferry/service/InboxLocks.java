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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InboxLocks.class);
    private final List<FileChannel> held;
    /** Each locked inbox's path and the identity of the folder locked there (see {@link #recheck}). */
    private final java.util.Map<Path, Object> folders = new java.util.LinkedHashMap<>();
    private final java.util.Map<Path, FileChannel> channels = new java.util.HashMap<>();

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
            InboxLocks locks = new InboxLocks(held);
            int i = 0;
            for (Path inbox : new java.util.LinkedHashSet<>(List.of(inboxes))) {
                locks.folders.put(inbox, identity(inbox));
                locks.channels.put(inbox, held.get(i++));
            }
            return locks;
        } catch (IOException e) {
            closeAll(held);
            throw new UncheckedIOException("cannot lock the inbox folders: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(held);
            throw e;
        }
    }

    /**
     * Whether each inbox path still holds the folder locked there. A folder moved away while the service ran (and a new
     * one made at its path, by a person or by the inbox's own consumer) took the lock with it: the service went on with
     * the new folder unlocked, and a second service could start on it (a review ran 8 of 20 requests in both). The new
     * folder is locked now; if another service holds it already, the inbox is named in the returned line and this
     * service must stop taking it. Null when every inbox is this service's.
     */
    synchronized String recheck() {
        for (java.util.Map.Entry<Path, Object> e : folders.entrySet()) {
            Path inbox = e.getKey();
            Object now = identity(inbox);
            if (now == null || now.equals(e.getValue())) {
                continue; // gone (the consumer makes it again), or still the one locked
            }
            Path file = inbox.resolve(LOCK_FILE);
            FileChannel ch = null;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException inThisJvm) {
                    lock = null;
                }
                if (lock == null) {
                    ch.close();
                    return "the inbox folder " + inbox + " was replaced while this service ran (moved away?), and"
                            + " another Ferry service holds the new one (" + file + "): this one stops taking it;"
                            + " give each service folders of its own, then restart it";
                }
            } catch (IOException ex) {
                closeAll(ch == null ? List.of() : List.of(ch));
                LOG.warn("the inbox folder {} was replaced while the service ran; its lock cannot be taken yet: {}",
                        inbox, ex.toString());
                continue;
            }
            closeAll(List.of(channels.put(inbox, ch)));
            held.add(ch);
            e.setValue(now);
            LOG.warn("the inbox folder {} was replaced while the service ran (moved away?): this service holds and"
                    + " serves the new one", inbox);
        }
        return null;
    }

    /** The folder's identity (device and inode), following a link to it; null when there is none. */
    private static Object identity(Path folder) {
        try {
            return java.nio.file.Files.readAttributes(folder, java.nio.file.attribute.BasicFileAttributes.class)
                    .fileKey();
        } catch (IOException e) {
            return null;
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
