package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.ServerProfile;

/**
 * An upload's remote name is taken and fileExist says to keep it: nothing was sent. Not transient (the next run finds
 * the same file); the command line gives it its own exit code, as it does a download's taken target.
 */
public final class UploadTargetExistsException extends FtpException {
    private static final String WHAT_TO_DO = ": remove it on the server, or choose fileExist Override to replace it"
            + " (a request's option \"fileExist\" or \"overwrite\"; for dropped files and requests that set none, the"
            + " service's ferry.file-exist; on the command line --overwrite or --file-exist)";

    UploadTargetExistsException(String remote, ServerProfile profile) {
        this("remote file " + remote + " on " + profile.name() + " already exists and is kept; nothing was sent"
                + WHAT_TO_DO);
    }

    private UploadTargetExistsException(String message) {
        super(message, 553, false);
    }

    /** fileExist TryRename found the name taken at the rename: what was sent stays under its temporary name. */
    static UploadTargetExistsException atRename(String remote, String temporary, ServerProfile profile) {
        return new UploadTargetExistsException("remote file " + remote + " on " + profile.name() + " exists and is"
                + " kept (fileExist TryRename renames only onto a free name, and looks only then); what was sent stays"
                + " in " + temporary + ": remove the remote file, or choose fileExist Override, and run the transfer"
                + " again to publish it");
    }

    /** The name was free when the upload was planned and is taken now: what was sent is not published over it. */
    static UploadTargetExistsException appeared(String remote, ServerProfile profile) {
        return new UploadTargetExistsException("remote file " + remote + " on " + profile.name() + " appeared during"
                + " the upload and is kept; what was sent is not published over it (its temporary copy is removed)"
                + WHAT_TO_DO);
    }
}
