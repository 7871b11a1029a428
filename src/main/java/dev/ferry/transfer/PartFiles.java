package dev.ferry.transfer;

import dev.ferry.plan.PathGuard;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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

    /**
     * A new part file of {@code size} bytes (sparse), never through a link: a link planted under the part file's name
     * is removed (not its target), and the file is created new, so nothing outside the folder is ever written.
     */
    static void create(Path part, long size) throws IOException {
        Files.deleteIfExists(part);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (size > 0) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    /** The part file for reading and writing, refusing a link in its place. */
    static FileChannel open(Path part) throws IOException {
        return FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    private static String shortId(String id) {
        return id.substring(id.indexOf('-') + 1, Math.min(id.length(), id.indexOf('-') + 9));
    }
}
