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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransferRequest(
        Direction direction,
        String server,
        String remotePath,
        String localPath,
        TransferOptions options,
        String tree) {

    /** A file on its own. */
    public TransferRequest(Direction direction, String server, String remotePath, String localPath,
                           TransferOptions options) {
        this(direction, server, remotePath, localPath, options, null);
    }

    /** This file as a file of the tree {@code treeId}. */
    public TransferRequest inTree(String treeId) {
        return new TransferRequest(direction, server, remotePath, localPath, options, treeId);
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
