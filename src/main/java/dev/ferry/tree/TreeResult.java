package dev.ferry.tree;

import java.util.List;

/**
 * What a tree transfer did.
 *
 * @param id          the tree's own id, the parent of its files' transfers
 * @param files       files found (transferred, skipped or failed)
 * @param transferred files sent, verified and published in this run
 * @param skipped     files already identical on the other side (mirror semantics)
 * @param failed      files whose transfer failed
 * @param refused     entries refused before any transfer (hostile names, links, limits)
 * @param bytesMoved  bytes that crossed the network in this run
 * @param problems    one line per failed or refused entry (the first {@link TreeRun#MAX_PROBLEM_LINES})
 * @param deleted     local files and folders deleted as extraneous ({@link TreeFilter#delete()})
 */
public record TreeResult(String id, int files, int transferred, int skipped, int failed, int refused, long bytesMoved,
                         List<String> problems, int deleted) {
    public boolean complete() {
        return failed == 0 && refused == 0;
    }
}
