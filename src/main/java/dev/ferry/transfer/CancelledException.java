package dev.ferry.transfer;

import java.io.IOException;

/** A person cancelled the transfer; its segments stay in the ledger for a later resume. */
public final class CancelledException extends IOException {
    public CancelledException(String transferId) {
        super("transfer " + transferId + " was cancelled");
    }
}
