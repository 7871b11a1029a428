package dev.ferry.ftp;

import java.io.IOException;

/**
 * No connection could be asked for because the permits themselves could not be read: a cluster's shared ledger did
 * not answer. Nothing was asked of the server, so this says nothing about it — a health probe or a server-away check
 * that meets it must not blame the server.
 */
public final class PermitUnavailableException extends IOException {
    public PermitUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
