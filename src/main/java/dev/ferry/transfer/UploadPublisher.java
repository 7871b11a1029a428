package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.source.SourceCheck;
import dev.ferry.source.SourceState;
import java.io.IOException;

/**
 * Verifies a finished upload on the server (SIZE of the temporary file, its hash where the server has one -- whole,
 * or range by range as it streamed -- the local source unchanged) and publishes it with RNFR/RNTO.
 */
final class UploadPublisher {
    /** An upload planned longer ago than this asks again whether its final name is still free (fileExist Fail). */
    static final long STILL_FREE_AFTER_NANOS = 1_000_000_000L;
    /** Files over this size have their final name asked for after the rename ({@link #requireRenamed}). */
    static final long RENAME_CHECK_MIN = 1L << 20;
    private final SessionPool pool;
    private final JdbcLedger ledger;

    UploadPublisher(SessionPool pool, JdbcLedger ledger) {
        this.pool = pool;
        this.ledger = ledger;
    }

    TransferResult publish(LiveTransfer t) throws IOException {
        if (t.kept != null) {
            return KeptFile.publish(ledger, t, t.remotePath());
        }
        Completion.require(ledger, t);
        // Before the server is asked anything: a file that changed is not worth verifying.
        requireSourceAsSent(t, null, false);
        String verification = "size " + t.size;
        FtpSession session = pool.borrow(t.profile);
        try {
            if (t.renameSent) {
                String already = renamedAlready(session, t);
                if (already != null) {
                    return published(t, verification + already + " (renamed before the connection dropped)");
                }
            }
            verification += verify(session, t);
            // Again just before the rename: the final name must never show a version the drop no longer is. A file
            // whose attributes alone changed meanwhile (its change time moved) is compared with the copy by bytes.
            requireSourceAsSent(t, session, true);
            // And a cancel accepted while the server verified: the person asked for it to stop (the API said so).
            t.checkNotCancelled();
            requireStillFree(session, t);
            t.renameSent = true;
            rename(session, t);
        } finally {
            pool.release(session);
        }
        return published(t, verification);
    }

    /**
     * fileExist TryRename: the rename must not replace a file, and FTP has no rename that refuses to, so the final name
     * is asked for just before it (vsftpd and proftpd replaced a file there without a word). fileExist Fail: the final
     * name was free when the upload was planned, and RNTO replaces a file on most servers (vsftpd, proftpd), so a file
     * someone put there meanwhile would be lost without a word (a hostile review lost one so). Asked again before the rename of an upload that took a second or more since its planning; a quicker
     * one (a folder's small files) leaves a window of that size, as any client's check before its rename does, FTP
     * having no rename that refuses to replace.
     */
    private static void requireStillFree(FtpSession session, LiveTransfer t) throws IOException {
        dev.ferry.plan.FileExist mode = t.options.fileExist();
        boolean ask = mode == dev.ferry.plan.FileExist.TRYRENAME
                || mode == dev.ferry.plan.FileExist.FAIL && System.nanoTime() - t.plannedNanos >= STILL_FREE_AFTER_NANOS;
        if (!ask) {
            return;
        }
        try {
            session.stat(t.remotePath());
        } catch (dev.ferry.ftp.RemoteNotFoundException free) {
            return;
        }
        if (mode == dev.ferry.plan.FileExist.TRYRENAME) {
            // Checked nothing before (a file there from the start is found here): what was sent stays for a run
            // with Override to publish, as a download's part file does.
            throw UploadTargetExistsException.atRename(t.remotePath(), t.remoteWork, t.profile);
        }
        try {
            session.delete(t.remoteWork);
        } catch (IOException kept) {
            // The next run's plan finds it; the failure below is the news.
        }
        throw UploadTargetExistsException.appeared(t.remotePath(), t.profile);
    }

    /**
     * The rename into place, which a folder at the final name refuses (550 and the like): then the copy is removed
     * and the failure says so, instead of a bare "Rename failed" that every run repeated after sending it all again.
     */
    private static void rename(FtpSession session, LiveTransfer t) throws IOException {
        try {
            session.rename(t.remoteWork, t.remotePath());
            requireNamedAsAsked(session, t);
            requireRenamed(session, t);
        } catch (FtpException e) {
            if (e.isTransient() || !session.isDirectory(t.remotePath())) {
                throw e;
            }
            try {
                session.delete(t.remoteWork);
            } catch (IOException kept) {
                // The next run's plan replaces it; the failure below is the news.
            }
            throw new UploadTargetIsFolderException(t.remotePath(), t.profile, true, e);
        }
    }

    /**
     * A server may answer RNTO with 250 and rename nothing (a gateway whose rename fails behind it, a hook that
     * refuses it quietly): the upload was reported done with the file only under its temporary name (a hostile review).
     * The final name is asked for once after the rename (one SIZE): of every file on its own (a drop, a request, the
     * command line's), and of a folder's files over {@link #RENAME_CHECK_MIN}, where one command is nothing against
     * the transfer; a folder's small files are asked nothing more, as every file costs its commands.
     */
    private static void requireRenamed(FtpSession session, LiveTransfer t) throws IOException {
        if (t.size <= RENAME_CHECK_MIN && t.request.tree() != null) {
            return;
        }
        long there;
        try {
            there = session.size(t.remotePath());
        } catch (RemoteNotFoundException e) {
            there = -2;
        }
        if (there == -1 || there == t.size) {
            return; // a server without SIZE cannot be asked; or the file is there
        }
        throw new FtpException("the server answered the rename of " + t.remoteWork + " to " + t.remotePath()
                + " with success, but " + (there == -2 ? "has no file of that name"
                : "its file of that name has " + there + " bytes, not the " + t.size + " sent")
                + ": it did not rename it; the copy stays under the temporary name. Check the server's renames"
                + " (permissions, a hook), then run the upload again", 0, false);
    }

    /**
     * Some servers change a name's leading or trailing space as they store it (pure-ftpd writes "a.txt " as
     * "a.txt_") and answer the rename with success: for such a name the final name is asked for once more, so a file
     * is never reported published under a name the server does not have (and sent again by every mirror run).
     */
    private static void requireNamedAsAsked(FtpSession session, LiveTransfer t) throws IOException {
        String path = t.remotePath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.equals(name.strip())) {
            return;
        }
        try {
            session.stat(path);
        } catch (RemoteNotFoundException e) {
            throw new FtpException("the server answered the rename to " + path + " with success but has no file of"
                    + " that name: it changes a name's leading or trailing spaces (pure-ftpd stores them as '_'), so"
                    + " the file is there under another name; rename the local file without them", 0, false, e);
        }
    }

    /**
     * The local file must still be the version whose bytes were sent -- same size, time, identity and (small files)
     * SHA-256 -- with no process holding it open to write more; else the transfer starts over from the new version.
     * Without {@code writers}, a cheap early look: size, time and identity. With {@code session}, a file whose change
     * time alone moved is the version sent if the server's copy under its temporary name has its bytes.
     */
    private static void requireSourceAsSent(LiveTransfer t, FtpSession session, boolean writers) throws IOException {
        SourceState sent = t.sentSource != null ? t.sentSource : new SourceState(t.size, t.sourceMtime, null, null);
        // The early look is a stat only; the SHA-256 and the scan are for the last moment before the rename.
        String why = writers ? SourceCheck.changed(t.workFile, sent,
                        session == null ? null : ServerCopy.sent(session, t.capabilities, t.remoteWork))
                : SourceCheck.differs(t.workFile, new SourceState(sent.size(), sent.mtimeMillis(), sent.fileKey(), null));
        if (why != null) {
            throw new SourceChangedException("the local file " + t.workFile + " changed during the upload (" + why
                    + ")");
        }
    }

    /**
     * Checks the server's copy before the rename and says how, or throws (removing the copy) when it differs: by the
     * ranges checked while it streamed where there are some, else by the server's hash of the whole file, which
     * proves its size too -- so SIZE is asked only without one, or to say what went wrong: one command fewer for
     * every small file.
     */
    private static String verify(FtpSession session, LiveTransfer t) throws IOException {
        StreamCheck.Result ranges = t.streamCheck == null ? null : t.streamCheck.await();
        if (ranges != null && ranges.status() != StreamCheck.Result.Status.NOT_CHECKED) {
            // The ranges cover every byte that was sent; SIZE proves nothing follows them.
            requireSize(session, t);
            if (ranges.status() == StreamCheck.Result.Status.MISMATCH) {
                throw mismatch(session, t, ranges.detail());
            }
            return " and " + ranges.detail();
        }
        HashCheck check = HashCheck.run(t, session, t.remoteWork);
        if (check == null) {
            requireSize(session, t);
            return requireSentAsPlanned(t);
        }
        if (!check.matches()) {
            requireSize(session, t);
            FtpException mismatch = mismatch(session, t, check.describe());
            // Compared with the SHA-256 taken at planning, a mismatch may be the source's doing (rewritten since, at
            // the same size and time): then the transfer starts over from the new version, as a changed source does.
            requireSourceAsSent(t, null, true);
            throw mismatch;
        }
        return " and " + check.verification();
    }

    /**
     * Without the server's hash: the bytes one stream sent must be the source as planned (a small file's SHA-256). A
     * file rewritten while it was read, then put back, has its old SHA-256 at the finish, and its copy is a mixture.
     */
    private static String requireSentAsPlanned(LiveTransfer t) throws SourceChangedException {
        String sent = t.sentSha256;
        String planned = t.sentSource == null ? null : t.sentSource.sha256();
        if (sent == null || planned == null) {
            return "";
        }
        if (!sent.equalsIgnoreCase(planned)) {
            throw new SourceChangedException("the local file " + t.workFile + " changed during the upload (the bytes"
                    + " sent are not its content as planned: it was written while it was read)");
        }
        return " and SHA-256 of the bytes sent";
    }

    private static FtpException mismatch(FtpSession session, LiveTransfer t, String how) throws IOException {
        session.delete(t.remoteWork);
        return new FtpException("checksum mismatch for " + t.remotePath() + ": " + how
                + "; the upload was removed, run it again", 0, false);
    }

    private static void requireSize(FtpSession session, LiveTransfer t) throws IOException {
        long there = session.size(t.remoteWork);
        if (there >= 0 && there != t.size) {
            session.delete(t.remoteWork);
            throw new FtpException("the server holds " + there + " bytes of " + t.remoteWork + " after the upload, "
                    + t.size + " were sent; the partial file was removed, run the upload again", 0, false);
        }
    }

    /**
     * After a cut during RNFR/RNTO the rename may have happened with its reply lost, or the process was killed
     * while it waited for the reply: then the temporary name is gone and the final name has our size, and our bytes
     * where the server has a hash. Asked only when a rename was sent (by this run, or by the run before, as the
     * planner found: every segment done, the temporary name gone), so an unrelated file of the same size is never
     * taken for ours. Returns how the final name was checked beyond its size, or null when it is not ours.
     */
    private static String renamedAlready(FtpSession session, LiveTransfer t) throws IOException {
        try {
            session.size(t.remoteWork);
            return null;
        } catch (RemoteNotFoundException e) {
            try {
                if (session.size(t.remotePath()) != t.size) {
                    return null;
                }
            } catch (RemoteNotFoundException gone) {
                return null;
            }
        }
        HashCheck check = HashCheck.run(t, session, t.remotePath());
        if (check == null) {
            return "";
        }
        return check.matches() ? " and " + check.verification() : null;
    }

    private TransferResult published(LiveTransfer t, String verification) {
        try {
            t.local.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to lose.
        }
        ledger.published(t.id(), t.bytesMoved(), t.bytesResent());
        return new TransferResult(t.id(), t.remotePath(), t.size, t.bytesMoved(), t.bytesAtStart(), t.retries(),
                verification);
    }
}
