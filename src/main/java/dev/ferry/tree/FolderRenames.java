package dev.ferry.tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A server may answer RNTO with 250 and rename nothing (a hostile review): a folder's small files are not asked for
 * under their final names one by one (a command each, a quarter more per file), so each remote folder is listed once
 * after its last small file of this run ended, and every file renamed into it must be there with its size. One the
 * listing does not show so is asked for by name once (a listing's quirks, a name its parser reads otherwise, must not
 * fail a file that is there), and one still missing is reported to {@link Missing}; a folder that cannot be listed
 * whole says nothing. Only the folders whose files are under way are held, so memory follows the lanes, not the tree.
 */
final class FolderRenames {

    /** The server, asked. */
    interface Lister {
        /** A folder's files' sizes by name (-1 where unknown), or null when it cannot be listed whole. */
        Map<String, Long> sizes(String remoteDir) throws IOException;

        /** One file's size: -1 when the server cannot say (no SIZE), -2 when it has no such file. */
        long size(String remotePath) throws IOException;
    }

    /** A file renamed into place whose final name the server's listing does not show as sent. */
    @FunctionalInterface
    interface Missing {
        void found(Sent file, String why);
    }

    /** One small file renamed into its folder by this run. */
    record Sent(String name, long size, String transferId, String relative) {
    }

    private final Lister lister;
    private final Missing missing;
    private final Map<String, Folder> folders = new ConcurrentHashMap<>();

    FolderRenames(Lister lister, Missing missing) {
        this.lister = lister;
        this.missing = missing;
    }

    /** A small file of {@code remoteDir} about to be sent: its folder waits for its end. */
    Folder expect(String remoteDir) {
        Folder f = folders.computeIfAbsent(remoteDir, Folder::new);
        f.expect();
        return f;
    }

    /** The walk has sent every file of {@code remoteDir}: checked once the last of them ends. */
    void walked(String remoteDir) {
        Folder f = folders.get(remoteDir);
        if (f != null) {
            f.walked();
        }
    }

    /** One remote folder's small files of this run. */
    final class Folder {
        private final String remoteDir;
        private final List<Sent> renamed = new ArrayList<>();
        private int outstanding;
        private boolean walked;

        private Folder(String remoteDir) {
            this.remoteDir = remoteDir;
        }

        private synchronized void expect() {
            outstanding++;
        }

        /** A file of this folder ended: {@code sent} when it was renamed into place, null when it was not. */
        void ended(Sent sent) {
            List<Sent> toCheck;
            synchronized (this) {
                if (sent != null) {
                    renamed.add(sent);
                }
                outstanding--;
                toCheck = due();
            }
            check(toCheck);
        }

        private void walked() {
            List<Sent> toCheck;
            synchronized (this) {
                walked = true;
                toCheck = due();
            }
            check(toCheck);
        }

        /** The files to check when the folder is complete, once; null otherwise. */
        private List<Sent> due() {
            if (!walked || outstanding > 0) {
                return null;
            }
            folders.remove(remoteDir, this);
            List<Sent> all = List.copyOf(renamed);
            renamed.clear();
            return all;
        }

        private void check(List<Sent> files) {
            if (files == null || files.isEmpty()) {
                return;
            }
            Map<String, Long> there;
            try {
                there = lister.sizes(remoteDir);
            } catch (IOException e) {
                // Unchecked, as a server that cannot list: the rename's own 250 is all there is.
                return;
            }
            if (there == null) {
                return;
            }
            for (Sent s : files) {
                Long listed = there.get(s.name());
                if (listed != null && (listed < 0 || listed == s.size())) {
                    continue;
                }
                long size;
                try {
                    size = lister.size(remoteDir.endsWith("/") ? remoteDir + s.name() : remoteDir + "/" + s.name());
                } catch (IOException e) {
                    continue;
                }
                if (size == -2 || (size >= 0 && size != s.size())) {
                    missing.found(s, "the server answered its rename with success, but "
                            + (size == -2 ? "the server has no file of that name in " + remoteDir
                            : "its file of that name has " + size + " bytes, not the " + s.size() + " sent")
                            + ": it did not rename it. Check the server's renames (permissions, a hook), then run the"
                            + " upload again");
                }
            }
        }
    }
}
