package dev.ferry.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Transfer ids are stable across restarts: the same file, direction, server and target always get the same id. */
public final class TransferIds {
    private TransferIds() {
    }

    public static String of(Direction direction, String server, String remotePath, String localPath) {
        String key = direction + "\n" + server + "\n" + remotePath + "\n" + localPath;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return (direction == Direction.DOWNLOAD ? "d-" : "u-") + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
