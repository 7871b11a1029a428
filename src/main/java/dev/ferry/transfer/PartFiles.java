package dev.ferry.transfer;

import dev.ferry.plan.PathGuard;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Names of the hidden work files: next to the target, so the final rename stays on one file system or directory. */
public final class PartFiles {
    static final int MAX_NAME_BYTES = 255;

    private PartFiles() {
    }

    /**
     * A download's part file: {@link #partName} with an id made of the transfer's and the ledger's {@code instance},
     * as {@link #remotePart} does on the server. Two ledgers (two command-line runs with their own {@code --ledger})
     * fetching one remote file to one local path have the same transfer id; with one part file between them the second
     * recreated it under the first, and the first published what the second had written so far (zeros) as verified.
     */
    public static Path localPart(Path target, String transferId, String instance) {
        String id = "d-" + java.util.HexFormat.of().formatHex(Hashing.sha256().digest(
                (transferId + "@" + instance).getBytes(StandardCharsets.UTF_8)));
        return target.resolveSibling(partName(target.getFileName().toString(), id));
    }

    /**
     * A download killed between its publishing link and the removal of its part file's name (LocalTarget.publish)
     * leaves the part file beside the published file: the same file under a hidden name, for ever, when the next run
     * finds the file there and has nothing to plan (a folder's run skips it as already there). Such a name goes.
     *
     * @return whether it was there and went
     */
    public static boolean dropLinkedPart(Path target, String transferId, String instance) throws IOException {
        Path part = localPart(target, transferId, instance);
        if (!Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS) || !Files.isSameFile(part, target)) {
            return false;
        }
        Files.delete(part);
        return true;
    }

    /** The part file of a download begun before the names carried the ledger's instance. */
    static Path legacyLocalPart(Path target, String transferId) {
        return target.resolveSibling(partName(target.getFileName().toString(), transferId));
    }

    /** The temporary name on the server of an upload begun before the names carried the ledger's instance. */
    static String legacyRemotePart(String remotePath, String transferId) {
        String dir = PathGuard.remoteParent(remotePath);
        return (dir.equals("/") ? "" : dir) + "/" + partName(PathGuard.remoteName(remotePath), transferId);
    }

    /**
     * An upload's temporary name on the server: {@link #partName} with an id made of the transfer's and the ledger's
     * {@code instance} ({@link dev.ferry.ledger.JdbcLedger#instance}), so that two ledgers' uploads of one local path
     * to one remote name never share it, while every node on one ledger finds the same name to resume.
     */
    static String remotePart(String remotePath, String transferId, String instance) {
        String dir = PathGuard.remoteParent(remotePath);
        String id = "u-" + java.util.HexFormat.of().formatHex(Hashing.sha256().digest(
                (transferId + "@" + instance).getBytes(StandardCharsets.UTF_8)));
        return (dir.equals("/") ? "" : dir) + "/" + partName(PathGuard.remoteName(remotePath), id);
    }

    /**
     * {@code .<name>.ferry-<id>.part}, within the 255 bytes a name may have on Linux file systems and FTP servers:
     * the part name adds 20 bytes to the file's, so a name of 236 bytes or more (79 CJK characters) could never be
     * sent or fetched ("File name too long", a 551 from the server). Such a name is cut, on a character boundary, in
     * its part file's name only; the transfer's id in it keeps two cut names apart.
     */
    static String partName(String name, String transferId) {
        String suffix = ".ferry-" + shortId(transferId) + ".part";
        return "." + fit(name, MAX_NAME_BYTES - 1 - suffix.length()) + suffix;
    }

    private static String fit(String name, int maxBytes) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return name;
        }
        int bytes = 0;
        int end = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        return name.substring(0, end);
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

    private static final java.util.regex.Pattern WORK_NAME =
            java.util.regex.Pattern.compile("\\..*\\.ferry-[0-9a-f]{8}\\.part|\\.ferry-probe-[0-9a-f]+",
                    java.util.regex.Pattern.DOTALL);

    /**
     * A name of the form Ferry gives the files it works in ({@code .<name>.ferry-<id>.part}, and the upload probe's):
     * a transfer may not publish under one, or it would replace another transfer's part file, which that transfer
     * then verifies by size and publishes as its own (a hostile review made a download publish another file so).
     */
    public static boolean isWorkName(String name) {
        return WORK_NAME.matcher(name).matches();
    }

    private static String shortId(String id) {
        return id.substring(id.indexOf('-') + 1, Math.min(id.length(), id.indexOf('-') + 9));
    }
}
