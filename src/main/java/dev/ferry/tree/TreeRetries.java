package dev.ferry.tree;

import dev.ferry.camel.RequestParser;
import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.LoginRefusedException;
import dev.ferry.ftp.ServerUnreachableException;
import dev.ferry.ledger.LedgerException;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.UnsafePathException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;

/**
 * The retry terms of a tree order whose run failed before it claimed the tree, as a transfer's (transfer.Attempts): a
 * server (or the ledger) that cannot be reached is waited for up to the profile's outage wait from the first try that
 * found it gone; another failure (a full disk, too many open files) is tried {@code maxAttempts} times in a row; a
 * permanent one (login refused, a path PathGuard refuses, a local folder denied, taken by a file or under one, another
 * answer of the server) is not tried again. A tree
 * that runs elsewhere (here, another node) is not a failure: its order waits for that run, unbounded. Not thread
 * safe: the caller holds a lock.
 */
final class TreeRetries {
    private final int maxAttempts;
    private final long outageWaitNanos;
    private int failures;
    private long outageSince = -1;

    TreeRetries(int maxAttempts, Duration outageWait) {
        this.maxAttempts = maxAttempts;
        this.outageWaitNanos = outageWait.toNanos();
    }

    /** The tree runs (or is about to) in this process or on another node: the order waits for that run's end. */
    static boolean waitsForAnotherRun(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TreeAlreadyRunningException || t instanceof TreeListings.TreeRunningException
                    || t instanceof LostLeaseException) {
                return true;
            }
        }
        return false;
    }

    /** Records a failure; null while the order may be tried again, else why it may not (appended to the reason). */
    String spent(Throwable failure) {
        if (permanent(failure)) {
            return "";
        }
        // The ledger down is an outage too: waited for by the clock, not counted as tries of the tree.
        if (in(failure, ServerUnreachableException.class) || in(failure, LedgerException.class)) {
            long now = System.nanoTime();
            if (outageSince < 0) {
                outageSince = now;
            }
            return now - outageSince < outageWaitNanos ? null
                    : " (the server stayed unreachable for the outage wait, " + outageWaitNanos / 1_000_000_000 + " s)";
        }
        outageSince = -1;
        failures++;
        return failures < maxAttempts ? null : " (after " + failures + " tries)";
    }

    private static boolean permanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Only what asking again cannot change: a full disk, too many open files or a bad number may pass.
            if (t instanceof LoginRefusedException || t instanceof UnsafePathException
                    || t instanceof RequestParser.RequestException || t instanceof AccessDeniedException
                    || t instanceof FileAlreadyExistsException || t instanceof NotDirectoryException
                    || t instanceof java.nio.file.FileSystemException f && underAFile(f.getFile())) {
                return true;
            }
            if (t instanceof FtpException f && !(t instanceof ServerUnreachableException) && !f.isTransient()) {
                return true;
            }
        }
        return false;
    }

    /** ENOTDIR: the JDK reports it as a bare FileSystemException ("Not a directory"), so look at the path itself. */
    private static boolean underAFile(String file) {
        if (file == null) {
            return false;
        }
        for (java.nio.file.Path p = java.nio.file.Path.of(file).getParent(); p != null; p = p.getParent()) {
            if (java.nio.file.Files.isRegularFile(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean in(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
