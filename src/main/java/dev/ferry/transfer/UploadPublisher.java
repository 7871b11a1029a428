package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Fingerprint;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Verifies a finished upload on the server (SIZE of the temporary file, its hash where the server has one, the
 * local source unchanged) and publishes it with RNFR/RNTO.
 */
final class UploadPublisher {
    private final SessionPool pool;
    private final JdbcLedger ledger;

    UploadPublisher(SessionPool pool, JdbcLedger ledger) {
        this.pool = pool;
        this.ledger = ledger;
    }

    TransferResult publish(LiveTransfer t) throws IOException {
        Completion.require(ledger, t);
        if (!new Fingerprint(t.size, t.sourceMtime).sameSourceAs(Files.size(t.workFile),
                Files.getLastModifiedTime(t.workFile).toMillis())) {
            throw new SourceChangedException("the local file " + t.workFile + " changed during the upload");
        }
        String verification = "size " + t.size;
        FtpSession session = pool.borrow(t.profile);
        try {
            if (t.renameSent && renamedAlready(session, t)) {
                return published(t, verification + " (renamed before the connection dropped)");
            }
            StreamCheck.Result ranges = t.streamCheck == null ? null : t.streamCheck.await();
            // The server's hash of the whole file also proves its size, so SIZE is asked only without one, or to
            // say what went wrong: one command fewer for every small file.
            HashCheck check = ranges != null && ranges.status() != StreamCheck.Result.Status.NOT_CHECKED ? null
                    : HashCheck.run(t, session, t.remoteWork);
            if (ranges != null && ranges.status() == StreamCheck.Result.Status.VERIFIED) {
                // The ranges cover every byte that was sent; SIZE proves nothing follows them.
                requireSize(session, t);
                verification += " and " + ranges.detail();
            } else if (ranges != null && ranges.status() == StreamCheck.Result.Status.MISMATCH) {
                requireSize(session, t);
                session.delete(t.remoteWork);
                throw new FtpException("checksum mismatch for " + t.remotePath() + ": " + ranges.detail()
                        + "; the upload was removed, run it again", 0, false);
            } else if (check == null) {
                requireSize(session, t);
            } else if (check.matches()) {
                verification += " and " + check.verification();
            } else {
                requireSize(session, t);
                session.delete(t.remoteWork);
                throw new FtpException("checksum mismatch for " + t.remotePath() + ": " + check.describe()
                        + "; the upload was removed, run it again", 0, false);
            }
            t.renameSent = true;
            session.rename(t.remoteWork, t.remotePath());
        } finally {
            pool.release(session);
        }
        return published(t, verification);
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
     * After a cut during RNFR/RNTO the rename may have happened with its reply lost: then the temporary name is
     * gone and the final name has our size. Asked only when this run sent the rename, so an unrelated file of the
     * same size is never taken for ours.
     */
    private static boolean renamedAlready(FtpSession session, LiveTransfer t) throws IOException {
        try {
            session.size(t.remoteWork);
            return false;
        } catch (RemoteNotFoundException e) {
            try {
                return session.size(t.remotePath()) == t.size;
            } catch (RemoteNotFoundException gone) {
                return false;
            }
        }
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
