package dev.ferry.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Transfer ids are stable across restarts: the same file, direction, server and target always get the same id. */
public final class TransferIds {
    // MessageDigest.getInstance looks the provider up each time; ids are asked for on every ledger write.
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    });

    private TransferIds() {
    }

    public static String of(Direction direction, String server, String remotePath, String localPath) {
        String key = direction + "\n" + server + "\n" + remotePath + "\n" + localPath;
        byte[] digest = SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
        return (direction == Direction.DOWNLOAD ? "d-" : "u-") + HexFormat.of().formatHex(digest, 0, 8);
    }
}
