package dev.ferry.plan;

/** Which way a transfer moves bytes. */
public enum Direction {
    /** From the FTP server to local disk. */
    DOWNLOAD,
    /** From local disk to the FTP server. */
    UPLOAD
}
