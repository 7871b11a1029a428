package dev.ferry.transfer;

import dev.ferry.plan.PathGuard;
import java.nio.file.Path;

/** Names of the hidden work files: next to the target, so the final rename stays on one file system or directory. */
final class PartFiles {
    private PartFiles() {
    }

    static Path localPart(Path target, String transferId) {
        return target.resolveSibling("." + target.getFileName() + ".ferry-" + shortId(transferId) + ".part");
    }

    static String remotePart(String remotePath, String transferId) {
        String dir = PathGuard.remoteParent(remotePath);
        return (dir.equals("/") ? "" : dir) + "/." + PathGuard.remoteName(remotePath) + ".ferry-"
                + shortId(transferId) + ".part";
    }

    private static String shortId(String id) {
        return id.substring(id.indexOf('-') + 1, Math.min(id.length(), id.indexOf('-') + 9));
    }
}
