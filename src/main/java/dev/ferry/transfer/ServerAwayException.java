package dev.ferry.transfer;

import java.io.IOException;

/**
 * A transfer stepped aside because its server cannot be reached: it waits in {@link ServerWaits}, unfinished in the
 * ledger, and is sent again when the server answers. Nothing failed; the message says what it waits for.
 */
public final class ServerAwayException extends IOException {
    private final String transferId;

    ServerAwayException(String transferId, String message, IOException cause) {
        super("transfer " + transferId + " waits: " + message, cause);
        this.transferId = transferId;
    }

    public String transferId() {
        return transferId;
    }
}
