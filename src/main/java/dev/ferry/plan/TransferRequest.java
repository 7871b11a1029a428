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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransferRequest(
        Direction direction,
        String server,
        String remotePath,
        String localPath,
        TransferOptions options) {

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
