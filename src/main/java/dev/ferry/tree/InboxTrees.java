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

    @Override
    public String upload(Path folder) throws IOException {
        String remote = PathGuard.remoteInside(remoteDir, folder.getFileName().toString());
        TreeResult r = new TreeRun(engine, server, limits).upload(folder, remote, TransferOptions.none());
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
