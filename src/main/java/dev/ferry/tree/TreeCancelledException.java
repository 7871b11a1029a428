package dev.ferry.tree;

import dev.ferry.progress.TreeView;
import java.io.IOException;

/**
 * A folder's transfer was cancelled (the API, the status page). Not an interrupt: its request or folder drop does not
 * wait for the next start; it is filed with this reason, and sent again it resumes, skipping the files already there.
 */
public final class TreeCancelledException extends IOException {
    TreeCancelledException(TreeView tree) {
        super("folder transfer " + tree.id() + " (" + (tree.direction() == dev.ferry.plan.Direction.DOWNLOAD
                ? tree.server() + ":" + tree.remoteRoot() + " to " + tree.localRoot()
                : tree.localRoot() + " to " + tree.server() + ":" + tree.remoteRoot()) + ") was cancelled; what it"
                + " moved is kept: send its request again, or move the folder or request back into its inbox, to"
                + " resume it (the files already there are skipped)");
    }
}
