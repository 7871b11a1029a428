package dev.ferry.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

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

    /**
     * The last id this thread made, with what it was made of. A transfer's id is asked for a dozen times as it runs
     * (every ledger write, the engine's maps, the tree's lanes), on one thread, and each time it was a SHA-256 of the
     * four parts: 6 % of a tree lane's CPU for small files. Equal parts give the same id, so this only skips work.
     */
    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    private record Last(Direction direction, String server, String remotePath, String localPath, String id) {
        boolean of(Direction d, String s, String r, String l) {
            return direction == d && Objects.equals(server, s) && Objects.equals(remotePath, r)
                    && Objects.equals(localPath, l);
        }
    }

    private TransferIds() {
    }

    public static String of(Direction direction, String server, String remotePath, String localPath) {
        Last last = LAST.get();
        if (last != null && last.of(direction, server, remotePath, localPath)) {
            return last.id();
        }
        String key = direction + "\n" + server + "\n" + remotePath + "\n" + localPath;
        byte[] digest = SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
        String id = (direction == Direction.DOWNLOAD ? "d-" : "u-") + HexFormat.of().formatHex(digest, 0, 8);
        LAST.set(new Last(direction, server, remotePath, localPath, id));
        return id;
    }
}
