package dev.ferry.inbox;

import java.io.IOException;
import java.nio.file.Path;

/** Uploads a settled folder drop as a tree (the service's is {@code dev.ferry.tree.InboxTrees}). */
public interface FolderUploads {
    /**
     * @return null when every file is verified on the server; else the reason, listing what failed
     * @throws Cancelled when someone cancelled the folder's upload (the API): it is filed, not kept for the next start
     */
    String upload(Path folder) throws IOException;

    /** The folder's upload was cancelled by someone, whose word stands even when the service stops meanwhile. */
    final class Cancelled extends IOException {
        public Cancelled(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
