package dev.ferry.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One file to move: the unit a drop, a request file, a queue message or the command line turns into. It holds
 * no secret (the server is named by its profile), so it can be stored in the ledger and logged as it is.
 *
 * @param server     the server profile's name
 * @param remotePath absolute remote path of the file
 * @param localPath  absolute local path of the file
 * @param tree       the tree (folder) transfer this file is part of, null for a file on its own; not part of the id
 * @param followLinks an upload's source: false, it is read only as the file it is, never through a symbolic link
 *                    (an inbox drop: the inbox refused links when it took it, and one swapped in later would send what
 *                    it points to); null or true, a link is followed (the command line's file, named by its user)
 * @param sourceRoot  the folder that was given, below which no folder on the way to the file is read or written
 *                    through a symbolic link: an upload's folder (the tree's root), a download's target folder (the
 *                    tree's root, the service's download directory); null for a file the command line names
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransferRequest(
        Direction direction,
        String server,
        String remotePath,
        String localPath,
        TransferOptions options,
        String tree,
        Boolean followLinks,
        String sourceRoot) {

    /** A file on its own. */
    public TransferRequest(Direction direction, String server, String remotePath, String localPath,
                           TransferOptions options) {
        this(direction, server, remotePath, localPath, options, null);
    }

    public TransferRequest(Direction direction, String server, String remotePath, String localPath,
                           TransferOptions options, String tree) {
        this(direction, server, remotePath, localPath, options, tree, null);
    }

    public TransferRequest(Direction direction, String server, String remotePath, String localPath,
                           TransferOptions options, String tree, Boolean followLinks) {
        this(direction, server, remotePath, localPath, options, tree, followLinks, null);
    }

    /** This file as one of the folder {@code root}, read without following a link on the way down from it. */
    public TransferRequest fromFolder(String root) {
        return new TransferRequest(direction, server, remotePath, localPath, options, tree, followLinks, root);
    }

    /** This file as a file of the tree {@code treeId}. */
    public TransferRequest inTree(String treeId) {
        return new TransferRequest(direction, server, remotePath, localPath, options, treeId, followLinks,
                sourceRoot);
    }

    /** The same file with other options. */
    public TransferRequest withOptions(TransferOptions other) {
        return new TransferRequest(direction, server, remotePath, localPath, other, tree, followLinks, sourceRoot);
    }

    /** An upload whose source may not be read through a symbolic link: a tree's file, or as {@code followLinks}. */
    @JsonIgnore
    public boolean readsNoLinks() {
        return tree != null || Boolean.FALSE.equals(followLinks);
    }

    public TransferRequest {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(localPath, "localPath");
        options = options == null ? TransferOptions.none() : options;
    }

    @JsonIgnore
    public String id() {
        return TransferIds.of(direction, server, remotePath, localPath);
    }

    @Override
    public String toString() {
        return direction == Direction.DOWNLOAD
                ? server + ":" + remotePath + " -> " + localPath
                : localPath + " -> " + server + ":" + remotePath;
    }
}
