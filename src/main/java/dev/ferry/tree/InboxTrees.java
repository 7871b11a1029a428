package dev.ferry.tree;

import dev.ferry.inbox.FolderUploads;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.TransferOptions;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A folder dropped into the upload inbox, uploaded as a tree to the server's remote-dir under the folder's own name,
 * as a dropped file goes there under its name. Run again after a crash, it sends only what is not there yet.
 */
public final class InboxTrees implements FolderUploads {
    private final TransferEngine engine;
    private final String server;
    private final String remoteDir;
    private final TreeLimits limits;

    public InboxTrees(TransferEngine engine, String server, String remoteDir, TreeLimits limits) {
        this.engine = engine;
        this.server = server;
        this.remoteDir = remoteDir == null || remoteDir.isBlank() ? "/" : remoteDir;
        this.limits = limits;
    }

    /** Walks again after a complete upload, at most this many times, while a walk still finds something to send. */
    static final int AGAIN_MAX = 2;

    @Override
    public String upload(Path folder) throws IOException {
        try {
            return uploadOnce(folder);
        } catch (TreeCancelledException e) {
            throw new Cancelled(e.getMessage(), e);
        }
    }

    private String uploadOnce(Path folder) throws IOException {
        String remote = PathGuard.remoteInside(remoteDir, folder.getFileName().toString());
        // What this drop publishes from here on (the ledger stamps rows with this clock) is its own copy, replaced
        // if its file changes before the folder is filed in .done/.
        java.time.Instant since = java.time.Instant.now();
        TreeResult r = new TreeRun(engine, server, limits).upload(folder, remote, TransferOptions.none());
        // A file put into the folder (or changed) after the walk passed it was never sent: the folder must not be
        // filed in .done/ with it. One more walk finds what is not on the server yet, as a second put -r does, and
        // costs a listing per folder when nothing is.
        for (int again = 0; r.complete(); again++) {
            TreeResult check = new TreeRun(engine, server, limits).ownCopiesSince(since)
                    .upload(folder, remote, TransferOptions.none());
            if (check.complete() && check.transferred() == 0) {
                return null;
            }
            if (again == AGAIN_MAX) {
                return "files of the folder kept appearing or changing while it was uploaded (" + check.transferred()
                        + " more sent by the last look); move the folder in only once it is complete, and drop it"
                        + " again: only what is missing is sent\n";
            }
            r = check;
        }
        if (r.complete()) {
            return null;
        }
        StringBuilder why = new StringBuilder(r.failed() + " of " + r.files() + " files failed and " + r.refused()
                + " entries were refused (" + r.transferred() + " uploaded and verified, " + r.skipped()
                + " already there); fix them and drop the folder again, and only what is missing is sent:\n");
        r.problems().forEach(line -> why.append(line).append('\n'));
        return why.toString();
    }
}
