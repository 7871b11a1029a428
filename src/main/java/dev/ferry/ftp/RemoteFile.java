package dev.ferry.ftp;

/** A remote file's size and modification time (epoch millis, -1 when the server has no MDTM or MLST). */
public record RemoteFile(String path, long size, long mtime, boolean directory) {
}
