package dev.ferry.ledger;

/**
 * A ledger operation failed in the database. The message names the operation and the transfer; it never
 * carries a password or a URL's credentials, so it is safe to log and to show to an operator.
 */
public final class LedgerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }

    static LedgerException of(String operation, String transferId, Throwable cause) {
        String forWhom = transferId == null ? "" : " for transfer " + transferId;
        return new LedgerException("ledger: " + operation + " failed" + forWhom + ": " + cause.getMessage(), cause);
    }
}
