package dev.ferry.inbox;

import dev.ferry.camel.DoneFolder;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The upload inbox's last step before a sent drop moves to {@code .done/} (routes/upload-drops.yaml): no other file
 * of its name is lost or stranded by it.
 */
public final class UploadDone {
    /** @param drop the sent drop's absolute path */
    public void makeRoom(String drop) throws IOException {
        // Camel's move would replace an earlier drop of the name done before: it is set aside with its time.
        new DoneFolder().keepEarlier(drop, DoneDrops.FOLDER);
        CancelledDrops.supersededBy(Path.of(drop));
    }
}
