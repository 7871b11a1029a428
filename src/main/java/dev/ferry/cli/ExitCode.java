package dev.ferry.cli;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.LoginRefusedException;
import dev.ferry.ftp.RemoteFolderException;
import dev.ferry.ftp.RemoteNotFolderException;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.plan.UnsafePathException;
import dev.ferry.transfer.CancelledException;
import dev.ferry.transfer.LocalFileException;
import dev.ferry.transfer.UploadTargetExistsException;
import dev.ferry.transfer.UploadTargetIsFolderException;

/** The documented exit codes; scripts can tell what to do from the number alone. */
enum ExitCode {
    DONE(0, "the file was transferred, verified and published"),
    FAILED(1, "the transfer failed on the network or the server; run the same command again to resume"),
    USAGE(2, "the command line is wrong (also: get of a remote folder without -r, a path with '..')"),
    LOCAL(3, "a local file problem: missing source, unwritable target, disk full, a trust store that cannot be read"),
    LOGIN(4, "the server refused the login"),
    NOT_FOUND(5, "the remote file does not exist (or the server will not say it does: it cannot be read)"),
    EXISTS(6, "the target exists and was kept, nothing transferred: --overwrite replaces it"),
    REFUSED(7, "the server refused for good (permission denied, a name it does not take): running it again will not"
            + " help until that changes"),
    CERTIFICATE(8, "the server's TLS certificate was refused (not trusted, for another name, or expired): a person must"
            + " decide — trust it (--trust-store), connect by its name, or have it renewed"),
    CANCELLED(130, "interrupted (Ctrl-C); run the same command again to resume");

    final int code;
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    static ExitCode of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LoginRefusedException) {
                return LOGIN;
            }
            if (t instanceof RemoteFolderException || t instanceof RemoteNotFolderException
                    || t instanceof UploadTargetIsFolderException) {
                return USAGE; // the other of get and get -r was meant: the command line, not the server, is at fault
            }
            if (t instanceof RemoteNotFoundException) {
                return NOT_FOUND;
            }
            if (t instanceof UploadTargetExistsException
                    || (t instanceof LocalFileException local && local.isTargetExists())) {
                return EXISTS; // running it again cannot help: a person chooses
            }
            if (t instanceof UnsafePathException) {
                return USAGE; // a path the command line gave ('..', a control character): nothing to retry
            }
            if (t instanceof LocalFileException || t instanceof dev.ferry.ftp.TrustStoreException) {
                return LOCAL;
            }
            if (t instanceof CancelledException) {
                return CANCELLED;
            }
            if (t instanceof CliLedgerException l) {
                return l.local ? LOCAL : FAILED;
            }
            if (t instanceof dev.ferry.ftp.TlsCertificateException) {
                return CERTIFICATE;
            }
            if (t instanceof dev.ferry.ftp.TlsRefusedException
                    || t instanceof dev.ferry.ftp.UnprotectedDataException) {
                return REFUSED;
            }
            if (t instanceof FtpException f) {
                // A 5xx the server meant (553 Could not create file), not a connection given up on (code 0).
                return f.replyCode() >= 500 && !f.isTransient() ? REFUSED : FAILED;
            }
        }
        return FAILED;
    }
}
