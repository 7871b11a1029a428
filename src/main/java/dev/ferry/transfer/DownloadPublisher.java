package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteFile;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Fingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Verifies a finished download and publishes it with one atomic rename. Completion comes from the ledger, then the
 * size, and the server's hash of its file where it has one (equal to ours, the source is what was read); without a
 * hash, or when it differs, the source's fingerprint (unchanged since planning) says whether the source changed.
 */
final class DownloadPublisher {
    private final SessionPool pool;
    private final JdbcLedger ledger;

    DownloadPublisher(SessionPool pool, JdbcLedger ledger) {
        this.pool = pool;
        this.ledger = ledger;
    }

    TransferResult publish(LiveTransfer t) throws IOException {
        if (t.kept != null) {
            return KeptFile.publish(ledger, t, t.localFile.toString());
        }
        Completion.require(ledger, t);
        Path target = t.localFile.toAbsolutePath();
        if (t.renameSent && !Files.exists(t.workFile, java.nio.file.LinkOption.NOFOLLOW_LINKS) && t.workFileKey != null
                && t.workFileKey.equals(LocalTarget.fileKey(target))) {
            // Tried again after the rename itself succeeded (the ledger's write after it failed): the final name is
            // the part file that was verified, not a part file someone removed.
            ledger.published(t.id(), t.bytesMoved(), t.bytesResent());
            return new TransferResult(t.id(), target.toString(), t.size, t.bytesMoved(), t.bytesAtStart(),
                    t.retries(), "size " + t.size + " (renamed before the step was tried again)");
        }
        try {
            // Publishing may be tried again after a cut connection: the channel is closed on the first try.
            // Every byte was forced before its checkpoint was recorded; this catches any that were not. The data and
            // the size are what the final name needs: force(true)'s extra flush of the times buys nothing, as the
            // modification time is set again just before the rename.
            if (t.local.isOpen()) {
                t.local.force(false);
                t.local.close();
            }
        } catch (IOException e) {
            throw LocalFileException.writing(t.workFile, e);
        }
        // One look at the part file: its size, and that it is still the file the download wrote through its channel.
        java.nio.file.attribute.BasicFileAttributes part;
        try {
            part = Files.readAttributes(t.workFile, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            // Its folder moved away (perhaps replaced by a link or a file), or the part file was removed: say so,
            // rather than a bare path ("Not a directory", tried again seven times), and stop.
            LocalTarget.requireSameFolder(t.workFile, t.localFile, t.workFolder);
            throw LocalTarget.partChanged(t.workFile, "removed");
        } catch (java.nio.file.FileSystemException e) {
            if (!"Not a directory".equals(e.getReason())) {
                throw e;
            }
            LocalTarget.requireSameFolder(t.workFile, t.localFile, t.workFolder);
            throw LocalTarget.partChanged(t.workFile, "removed");
        }
        if (t.workFileKey != null && part.fileKey() != null && !t.workFileKey.equals(part.fileKey())) {
            throw LocalTarget.partChanged(t.workFile, "replaced");
        }
        long onDisk = part.size();
        if (onDisk != t.size) {
            throw new SourceChangedException("the part file " + t.workFile + " has " + onDisk + " bytes, "
                    + t.size + " were planned");
        }
        String verification = "size " + t.size;
        FtpSession session = pool.borrow(t.profile);
        try {
            // The server's hash of its file as it is now, equal to ours, says more than its size and time: they are
            // asked only without one (or to say why they differ), one command fewer for every small file of a tree.
            HashCheck check = HashCheck.run(t, session, t.remotePath());
            if (check == null || !check.matches()) {
                RemoteFile now = session.stat(t.remotePath());
                if (!new Fingerprint(t.size, t.sourceMtime).sameSourceAs(now.size(), now.mtime())) {
                    throw new SourceChangedException("the remote file " + t.remotePath()
                            + " changed during the download");
                }
            }
            if (check == null) {
                // Said plainly: a file rewritten at the same size with its time put back is not seen this way.
                verification += " and time only (the server offers no hash)";
            } else {
                if (!check.matches()) {
                    Files.deleteIfExists(t.workFile);
                    throw new SourceChangedException("checksum mismatch for " + t.remotePath() + ": "
                            + check.describe() + "; the data is discarded");
                }
                verification += " and " + check.algorithm() + " from the server";
            }
        } finally {
            pool.release(session);
        }
        if (t.sourceMtime > 0) {
            Files.setLastModifiedTime(t.workFile, FileTime.fromMillis(t.sourceMtime));
        }
        // The folder must still be the one the download began in, just before the rename that trusts it.
        LocalTarget.requireSameFolder(t.workFile, t.localFile, t.workFolder);
        // And a cancel accepted while the server verified: the person asked for it to stop (the API said so).
        t.checkNotCancelled();
        t.renameSent = true;
        boolean placed = LocalTarget.publish(t.workFile, target, t.options.fileExist());
        ledger.published(t.id(), t.bytesMoved(), t.bytesResent());
        return new TransferResult(t.id(), target.toString(), t.size, t.bytesMoved(), t.bytesAtStart(), t.retries(),
                placed ? verification : KeptFile.IGNORED);
    }
}
