package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.ServerProfile;

/**
 * An upload's remote name is taken and fileExist says to keep it: nothing was sent. Not transient (the next run finds
 * the same file); the command line gives it its own exit code, as it does a download's taken target.
 */
public final class UploadTargetExistsException extends FtpException {
    UploadTargetExistsException(String remote, ServerProfile profile) {
        super("remote file " + remote + " on " + profile.name() + " already exists and is kept; nothing was sent:"
                + " remove it on the server, or choose fileExist Override to replace it (request option \"fileExist\""
                + " or \"overwrite\", service key ferry.file-exist, command line --overwrite or --file-exist)", 553,
                false);
    }
}
