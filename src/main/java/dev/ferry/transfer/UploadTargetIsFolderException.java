package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.ServerProfile;

/**
 * An upload named a remote path that is a folder, so its verified copy could not be renamed into place. Not
 * transient: the next run finds the same folder; the command line counts it as a usage error.
 */
public final class UploadTargetIsFolderException extends FtpException {
    /** @param sent whether the file had been sent (found at the rename) or not (found while planning) */
    UploadTargetIsFolderException(String path, ServerProfile profile, boolean sent, Throwable cause) {
        super("remote path " + path + " on " + profile + " is a folder, so the file cannot take its name"
                + (sent ? "; the copy sent was removed" : "; nothing was sent") + ": upload into the folder with a"
                + " trailing / (" + path + "/), or name a file", 550, false, cause);
    }
}
