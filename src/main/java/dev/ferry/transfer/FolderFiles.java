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
 * A folder's file opened from the folder that was given, one name at a time, none followed if it is a symbolic link
 * (openat with O_NOFOLLOW): the O_NOFOLLOW of a plain open guards the file's own name only, so a subfolder swapped for
 * a link after the walk listed it had its "files" read from wherever the link pointed (a secret uploaded as
 * {@code a/secret.txt} of the tree).
 */
final class FolderFiles {
    private FolderFiles() {
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
        Path relative = top.relativize(absolute);
        DirectoryStream<Path> first = Files.newDirectoryStream(top);
        if (!(first instanceof SecureDirectoryStream<Path> dir)) {
            first.close();
            return null;
        }
        try {
            Path walked = top;
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                Path name = relative.getName(i);
                walked = walked.resolve(name);
                SecureDirectoryStream<Path> next;
                try {
                    next = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    if (Files.isSymbolicLink(walked)) {
                        throw replaced(walked, source, r, e);
                    }
                    throw e;
                }
                dir.close();
                dir = next;
            }
            Path name = relative.getFileName();
            SeekableByteChannel channel;
            try {
                channel = dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            } catch (IOException e) {
                if (Files.isSymbolicLink(absolute)) {
                    throw replaced(absolute, source, r, e);
                }
                throw e;
            }
            if (channel instanceof FileChannel file) {
                return file;
            }
            channel.close();
            return null;
        } finally {
            dir.close();
        }
    }

    /** Where a link points, for a message; "?" when it cannot be read (gone again, or no links here). */
    static String linkTarget(Path link) {
        try {
            return String.valueOf(Files.readSymbolicLink(link));
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    private static LocalFileException replaced(Path link, Path source, TransferRequest r, Exception cause) {
        String target = linkTarget(link);
        return new LocalFileException((link.equals(source) ? "the local file " : "the folder ") + link
                + " was replaced by a symbolic link (to " + target + ") after its folder was read; links in a folder"
                + " are not followed, so " + source + " was not uploaded" + (r.tree() != null
                ? ": put the " + (link.equals(source) ? "file" : "folder") + " itself back and run the folder again"
                : ""), cause);
    }
}
