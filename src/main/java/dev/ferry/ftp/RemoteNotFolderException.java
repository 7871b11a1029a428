package dev.ferry.ftp;

/**
 * A folder transfer ({@code get -r}, a request for a folder) named a remote path that is a file. Not transient: the
 * command line says to drop {@code -r} (exit 2, as a folder asked for as a file is), the service fails the request
 * with this reason.
 */
public final class RemoteNotFolderException extends FtpException {
    public RemoteNotFolderException(String path, ServerProfile profile) {
        super("remote " + path + " on " + profile + " is a file, not a folder: a folder's transfer (-r) needs a folder there; a single file is fetched with get, or"
                + " sent with put, without -r", 0,
                false);
    }
}
