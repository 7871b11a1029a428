package dev.ferry.transfer;

/**
 * A transfer stepped aside because its server cannot be reached: it waits in {@link ServerWaits}, unfinished in the
 * ledger, and is sent again when the server answers. Nothing failed; the message says what it waits for.
 */
public final class ServerAwayException extends java.io.IOException {
    private final String transferId;

    /**
     * Without a cause (the message names it): Camel matches a route's {@code onException} from the innermost cause
     * out, and the inbox's clause for any {@code Exception} took the connection's refusal for a failed request.
     */
    ServerAwayException(String transferId, String message) {
        super("transfer " + transferId + " waits: " + message);
        this.transferId = transferId;
    }

    public String transferId() {
        return transferId;
    }
}
