package dev.ferry.transfer;

import dev.ferry.plan.FileExist;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A download's final name on the local disk and the {@link FileExist} rule: checked before a byte moves (a person's
 * file is never replaced unasked, a directory is never a target), and again at the rename, which for every mode but
 * Override can never replace a file that appeared meanwhile.
 */
final class LocalTarget {
    private LocalTarget() {
    }

    /** Before planning: true when the existing target is to be kept and nothing moved (Ignore). */
    static boolean keepExisting(Path target, FileExist mode) throws LocalFileException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            // Worded for every caller: a folder's file (get -r) can only move the folder aside; a request can also
            // name the folder to download into.
            throw new LocalFileException("the target " + target + " is a directory; nothing was transferred: move the"
                    + " directory aside, or name a file instead (a request's localPath ending in '/' downloads into"
                    + " the directory under the remote name)", null);
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return switch (mode) {
            case FAIL -> throw LocalFileException.targetExists("the target " + target + " already exists; nothing"
                    + " was transferred: remove or rename it, or choose fileExist Override to replace it or Ignore to"
                    + " keep it (a request's option \"fileExist\"; for requests that set none, the service's"
                    + " ferry.file-exist; on the command line --file-exist)");
            case IGNORE -> true;
            case OVERRIDE, TRYRENAME -> false;
        };
    }

    /** {@code file}'s identity on its file system (device and inode), or null when it cannot be read. */
    static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The part file is not the one the download wrote through its channel ({@code how}: removed, or replaced under its
     * name): what the name holds is not what was fetched, and the channel's file cannot be published.
     */
    static LocalFileException partChanged(Path part, String how) {
        return new LocalFileException("the part file " + part + " was " + how + " during the download; nothing was"
                + " published: run the transfer again to start over", null);
    }

    /** The real path of {@code file}'s folder, or null when it cannot be resolved. */
    static Path realFolderOf(Path file) {
        try {
            Path real = file == null ? null : file.toAbsolutePath().getParent().toRealPath();
            // A file put where the folder was has a real path too, the folder's own.
            return real != null && Files.isDirectory(real) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The part file's folder must be the one the download began in: a folder moved away and replaced by a link
     * meanwhile would have the final name written wherever the link points, outside the folder that was checked.
     */
    static void requireSameFolder(Path part, Path target, Path plannedFolder) throws LocalFileException {
        if (plannedFolder == null) {
            return;
        }
        Path now = realFolderOf(part);
        if (!plannedFolder.equals(now)) {
            throw new LocalFileException("the folder " + target.toAbsolutePath().getParent() + " was moved or replaced"
                    + " during the download (it was " + plannedFolder + ", it is now "
                    + (now != null ? now.toString() : Files.exists(target.toAbsolutePath().getParent())
                    ? "a file, not a folder" : "gone") + "); nothing was published: put the folder back and"
                    + " run the transfer again to resume", null);
        }
    }

    /**
     * The verified part file under the final name, in one step; Override alone may replace a file there. False when
     * the name was taken under Ignore: that file is kept, as one found before the download, and the part file goes.
     */
    static boolean publish(Path part, Path target, FileExist mode) throws IOException {
        try {
            place(part, target, mode);
            return true;
        } catch (LocalFileException e) {
            if (mode != FileExist.IGNORE || !e.isTargetExists()) {
                throw e;
            }
            Files.deleteIfExists(part);
            return false;
        }
    }

    private static void place(Path part, Path target, FileExist mode) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new LocalFileException("the target " + target + " became a directory during the download; the data"
                    + " stays in " + part + "; move the directory away and run the transfer again", null);
        }
        if (mode == FileExist.OVERRIDE) {
            move(part, target);
            return;
        }
        try {
            // A hard link is created only if the name is free, atomically: no check-then-rename race with a writer
            // that creates the target meanwhile. The part file's name then goes.
            Files.createLink(target, part);
        } catch (FileAlreadyExistsException e) {
            throw taken(part, target, mode);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // No hard links here (some network or FAT file systems): the check and the rename, a moment apart.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw taken(part, target, mode);
            }
            move(part, target);
            return;
        }
        Files.delete(part);
    }

    /**
     * The final name is taken at the rename: TryRename checks nothing before (a file there from the start is found
     * here), the others did, so one appeared since. Either way the same exit as a target found before (6).
     */
    private static LocalFileException taken(Path part, Path target, FileExist mode) {
        String when = mode == FileExist.TRYRENAME ? " exists and is kept (fileExist TryRename renames only onto a free"
                + " name, and looks only then)" : " appeared during the download and is kept (fileExist "
                + mode.camelName() + ")";
        return LocalFileException.targetExists("the target " + target + when + "; the data stays in " + part
                + ": remove the target, or ask for fileExist Override, and run the transfer again to publish it");
    }

    private static void move(Path part, Path target) throws LocalFileException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new LocalFileException("cannot rename " + part + " to " + target + " atomically", e);
        } catch (IOException e) {
            throw LocalFileException.writing(target, e);
        }
    }
}
