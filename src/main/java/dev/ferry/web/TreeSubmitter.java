package dev.ferry.web;

/**
 * How {@code POST /api/transfers} takes a request that names a folder ({@code "recursive": true}, or a remotePath
 * ending in {@code /}): in the service, {@code tree.TreeRequests} accepts it into the ledger and the ferry-trees route
 * runs it. Without one, the API takes every request as one file.
 */
public interface TreeSubmitter {
    /** Whether {@code json} asks for a folder. */
    boolean isTree(String json);

    /**
     * Accepts the folder durably and starts it without waiting; its tree id.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     * @throws IllegalStateException when the same tree runs already
     */
    String submit(String json);

    /** Whether a folder accepted now can be queued at once; the API refuses it (503) before recording it if not. */
    default boolean hasRoom() {
        return true;
    }
}
