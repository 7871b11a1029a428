package dev.ferry.inbox;

import java.io.IOException;
import java.nio.file.Path;

/** Uploads a settled folder drop as a tree (the service's is {@code dev.ferry.tree.InboxTrees}). */
public interface FolderUploads {
    /** @return null when every file is verified on the server; else the reason, listing what failed */
    String upload(Path folder) throws IOException;
}
