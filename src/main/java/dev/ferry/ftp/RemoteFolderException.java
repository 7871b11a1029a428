package dev.ferry.ftp;

/**
 * A download asked for a file and the remote path is a folder (MLST said type=dir, or SIZE/MLST said 550 and CWD
 * there worked). Not transient: asking again finds the same folder. The service runs such a request as the tree it
 * names (tree.TreeRequests#folderFound); the command line refuses it and says to use {@code get -r}.
 */
public final class RemoteFolderException extends FtpException {
    private final String path;

    public RemoteFolderException(String path, ServerProfile profile) {
        super("remote path " + path + " on " + profile + " is a folder, not a file: download it as a folder (get -r,"
                + " or a request whose remotePath ends in /)", 550, false);
        this.path = path;
    }

    /** The folder, as the request named it. */
    public String path() {
        return path;
    }
}
