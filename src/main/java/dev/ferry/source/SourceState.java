package dev.ferry.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One version of a local file as a transfer saw it: size, modification time, the file's identity (inode where the
 * system has one, so a file replaced by a rename is a different file even with the same size and time) and, for a
 * small file, its SHA-256 -- which also catches a rewrite that kept size and time (a copy with {@code -p}, or two
 * writes within one clock tick).
 *
 * @param fileKey null where the file system has none
 * @param sha256  null when not hashed
 */
public record SourceState(long size, long mtimeMillis, Object fileKey, String sha256) {

    public static SourceState of(Path file, boolean withHash) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new SourceState(a.size(), a.lastModifiedTime().toMillis(), a.fileKey(), withHash ? sha256(file) : null);
    }

    /** The same state with the size and time a planner recorded: those are the bytes that were sent. */
    public SourceState as(long sentSize, long sentMtime) {
        return new SourceState(sentSize, sentMtime, fileKey, sha256);
    }

    /** What differs from {@code sent}, in words, or null when this is the version that was sent. */
    public String differenceFrom(SourceState sent) {
        if (size != sent.size) {
            return "size " + sent.size + " -> " + size;
        }
        if (mtimeMillis != sent.mtimeMillis) {
            return "modified " + sent.mtimeMillis + " -> " + mtimeMillis;
        }
        if (fileKey != null && sent.fileKey != null && !Objects.equals(fileKey, sent.fileKey)) {
            return "replaced by another file of the same name";
        }
        if (sha256 != null && sent.sha256 != null && !sha256.equals(sent.sha256)) {
            return "same size and time, different content (SHA-256)";
        }
        return null;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                d.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
