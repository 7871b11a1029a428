package dev.ferry.transfer;

import java.io.IOException;

/** A person cancelled the transfer; its segments stay in the ledger for a later resume. */
public final class CancelledException extends IOException {
    private final String transferId;

    public CancelledException(String transferId) {
        super("transfer " + transferId + " was cancelled");
        this.transferId = transferId;
    }

    public String transferId() {
        return transferId;
    }

    /** The cancel in {@code failure}'s causes, or null. */
    public static CancelledException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CancelledException c) {
                return c;
            }
        }
        return null;
    }
}
