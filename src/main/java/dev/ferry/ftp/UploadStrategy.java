package dev.ferry.ftp;

/** How an upload may use the server; {@link #AUTO} picks from the probed capabilities. */
public enum UploadStrategy {
    AUTO,
    /** N connections each {@code REST n} + {@code STOR} into the remote temporary file. */
    PARALLEL,
    /** One connection; resume from the server's SIZE of the temporary file. */
    SEQUENTIAL,
    /** The server keeps no partial upload: start over every time. */
    RESTART
}
