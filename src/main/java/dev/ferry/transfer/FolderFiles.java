package dev.ferry.transfer;

import dev.ferry.plan.TransferRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A folder's file, or a folder below it, opened from the folder that was given, one name at a time, none followed if
 * it is a symbolic link (openat with O_NOFOLLOW): the O_NOFOLLOW of a plain open guards a path's last name only, so a
 * subfolder swapped for a link after the walk listed it had its "files" read from wherever the link pointed (a secret
 * uploaded as {@code a/secret.txt} of the tree), and mirror's delete deleted through it.
 */
public final class FolderFiles {
    private FolderFiles() {
    }

    /**
     * The folder {@code relative} ({@code /}-separated, empty for the root itself) below {@code root}, opened without
     * following a link below the root; null where the system cannot open folders so. A name on the way that is not a
     * folder now (gone, a file, a link) fails with the open's own exception.
     */
    public static SecureDirectoryStream<Path> openFolder(Path root, String relative) throws IOException {
        DirectoryStream<Path> top = Files.newDirectoryStream(root);
        if (!(top instanceof SecureDirectoryStream<Path> dir)) {
            top.close();
            return null;
        }
        for (String part : relative.isEmpty() ? new String[0] : relative.split("/")) {
            SecureDirectoryStream<Path> below;
            try {
                below = dir.newDirectoryStream(Path.of(part), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                dir.close();
                throw e;
            }
            dir.close();
            dir = below;
        }
        return dir;
    }

    /**
     * The file {@code source} below {@code root}, or null where this cannot be done so (a source not below the root,
     * a system without openat): then the caller's plain O_NOFOLLOW open.
     */
    static FileChannel open(Path root, Path source, TransferRequest r) throws IOException {
        Path absolute = source.toAbsolutePath().normalize();
        Path top = root.toAbsolutePath().normalize();
        if (!absolute.startsWith(top) || absolute.equals(top)) {
            return null;
        }
        Path parent = top.relativize(absolute).getParent();
        SecureDirectoryStream<Path> dir;
        try {
            dir = openFolder(top, parent == null ? "" : parent.toString().replace(java.io.File.separatorChar, '/'));
        } catch (IOException e) {
            throw linkOnTheWay(top, absolute, r, e);
        }
        if (dir == null) {
            return null;
        }
        try (dir) {
            SeekableByteChannel channel = dir.newByteChannel(absolute.getFileName(),
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            if (channel instanceof FileChannel file) {
                return file;
            }
            channel.close();
            return null;
        } catch (IOException e) {
            throw linkOnTheWay(top, absolute, r, e);
        }
    }

    /**
     * The folder {@code folder} below {@code root}, made where missing one name at a time, and where it really is: its
     * real path, which must lie inside the root's real path. A download writes and publishes its file there and
     * nowhere else ({@link LocalTarget#requireSameFolder}): a subfolder swapped for a link to elsewhere while a tree
     * ran had its files written wherever the link pointed (over files there, too). A link that stays inside the root
     * ({@code current -> 2026-12}) is a folder of the root like any other. Null when {@code folder} is not below
     * {@code root}.
     *
     * @throws LocalFileException when a name on the way leads out of the root, is a file, or cannot be made
     */
    public static Path makeFolder(Path root, Path folder) throws LocalFileException {
        Path top = root.toAbsolutePath().normalize();
        Path below = folder.toAbsolutePath().normalize();
        if (!below.startsWith(top)) {
            return null;
        }
        Path p = top;
        try {
            Files.createDirectories(top);
            Path realTop = top.toRealPath();
            if (Files.isDirectory(below)) {
                // There already (every file of a tree but a folder's first): one look at where it leads.
                Path real = below.toRealPath();
                if (!real.startsWith(realTop)) {
                    throw leadsOut(firstLinkOut(top, below, realTop), top);
                }
                return real;
            }
            for (Path name : top.relativize(below)) {
                if (name.toString().isEmpty()) {
                    continue;
                }
                p = p.resolve(name);
                if (!Files.isDirectory(p)) {
                    try {
                        // mkdir makes no folder through a link in its last name (a dangling one fails here).
                        Files.createDirectory(p);
                    } catch (java.nio.file.FileAlreadyExistsException e) {
                        // A folder there now was made meanwhile by another transfer into the same new folder (two
                        // downloads from the queue into q/ at once: the second failed "q is a file here"); it is
                        // checked below like any other.
                        if (!Files.isDirectory(p)) {
                            throw new LocalFileException(p + " is a file here (or a link to nothing), where the"
                                    + " folder of " + below + " must be; nothing was written in it: move the file aside"
                                    + " and run the transfer again", null);
                        }
                    }
                }
                // Each name as it is reached: a link out of the root is never gone through, even to make a folder.
                if (!p.toRealPath().startsWith(realTop)) {
                    throw leadsOut(p, top);
                }
            }
            return below.toRealPath();
        } catch (LocalFileException e) {
            throw e;
        } catch (IOException e) {
            throw new LocalFileException("cannot make the folder " + p + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); nothing was written in it: make it writable (or free the name) and run the"
                    + " transfer again", e);
        }
    }

    /** The name on the way from {@code top} to {@code below} whose real path first leaves {@code realTop}. */
    private static Path firstLinkOut(Path top, Path below, Path realTop) throws IOException {
        Path p = top;
        for (Path name : top.relativize(below)) {
            p = p.resolve(name);
            if (!p.toRealPath().startsWith(realTop)) {
                return p;
            }
        }
        return below;
    }

    private static LocalFileException leadsOut(Path link, Path top) {
        return new LocalFileException("the folder " + link + " is a symbolic link out of " + top + " (to "
                + linkTarget(link) + "); nothing is written through it: put the folder itself back, or remove the"
                + " link, and run the transfer again", null);
    }

    /** The open's failure, in words when a name below the root on the way to the file (or the file) is a link now. */
    private static IOException linkOnTheWay(Path top, Path absolute, TransferRequest r, IOException e) {
        Path p = top;
        for (Path name : top.relativize(absolute)) {
            p = p.resolve(name);
            if (Files.isSymbolicLink(p)) {
                return replaced(p, absolute, r, e);
            }
        }
        return e;
    }

    /** Where a link points, for a message; "?" when it cannot be read (gone again, or no links here). */
    static String linkTarget(Path link) {
        try {
            return String.valueOf(Files.readSymbolicLink(link));
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    private static LocalFileException replaced(Path link, Path file, TransferRequest r, Exception cause) {
        boolean itself = link.equals(file);
        return new LocalFileException((itself ? "the local file " : "the folder ") + link + " was replaced by a"
                + " symbolic link (to " + linkTarget(link) + ") after its folder was read; links in a folder are not"
                + " followed, so " + file + " was not uploaded" + (r.tree() != null ? ": put the "
                + (itself ? "file" : "folder") + " itself back and run the folder again" : ""), cause);
    }
}
