package dev.ferry.progress;

import dev.ferry.plan.Direction;
import java.util.Map;

/**
 * A read-only look at a tree transfer (a folder moved as one transfer per file), the parent of its files' transfers:
 * its counts so far, for events, the API and the status page.
 */
public interface TreeView {
    String id();

    Direction direction();

    String server();

    String remoteRoot();

    String localRoot();

    /** LISTING (the walk has not ended), RUNNING, DONE, INCOMPLETE (a file failed or was refused) or FAILED. */
    String status();

    /** Whether the listing came from the ledger (an earlier run's), not from the server. */
    boolean resumedListing();

    /** Files found so far (to transfer, skipped or failed); the total once the walk has ended. */
    int files();

    int transferred();

    int skipped();

    int failed();

    int refused();

    /** Files whose outcome is known. */
    default int filesDone() {
        return transferred() + skipped() + failed();
    }

    /** Bytes of the files sent so far, and of all the files to send (known once the walk has ended). */
    long bytesDone();

    long bytesTotal();

    long bytesMoved();

    /** Seconds to go at the tree's rate so far, -1 when unknown. */
    long etaSeconds();

    /** The view as a JSON object's fields, the same for events and the API. */
    default Map<String, Object> fields() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id());
        m.put("direction", direction().name());
        m.put("server", server());
        m.put("remotePath", remoteRoot());
        m.put("localPath", localRoot());
        m.put("status", status());
        m.put("resumedListing", resumedListing());
        m.put("files", files());
        m.put("filesDone", filesDone());
        m.put("transferred", transferred());
        m.put("skipped", skipped());
        m.put("failed", failed());
        m.put("refused", refused());
        m.put("bytesDone", bytesDone());
        m.put("bytesTotal", bytesTotal());
        m.put("bytesMoved", bytesMoved());
        m.put("etaSeconds", etaSeconds());
        return m;
    }
}
