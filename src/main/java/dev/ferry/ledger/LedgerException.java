package dev.ferry.ledger;

/**
 * A ledger operation failed in the database. The message names the operation and the transfer; it never
 * carries a password or a URL's credentials, so it is safe to log and to show to an operator.
 */
public final class LedgerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, where a caller says what to do about it (the command line names its --ledger option). */
    public enum Kind { DATABASE, IN_USE, LOCAL_FOLDER }

    private final Kind kind;

    public LedgerException(String message, Throwable cause) {
        this(message, cause, Kind.DATABASE);
    }

    LedgerException(String message, Throwable cause, Kind kind) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether {@code e} is, or was caused by, a ledger write that failed because the database connection was lost (a
     * restart or failover of the database, a terminated session, a cut network): the same write on a new connection
     * can succeed, so the transfer it belongs to is not over.
     */
    public static boolean connectionLost(Throwable e) {
        boolean ledger = false;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof LostLeaseException) {
                return false;
            }
            if (c instanceof LedgerException) {
                ledger = true;
            }
            if (ledger && c instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState();
                if (sql instanceof java.sql.SQLRecoverableException
                        || sql instanceof java.sql.SQLTransientConnectionException
                        || (state != null && (state.startsWith("08") || state.startsWith("57P")))
                        || String.valueOf(sql.getMessage()).contains("Connection is closed")) {
                    return true;
                }
            }
        }
        return false;
    }

    static LedgerException of(String operation, String transferId, Throwable cause) {
        LedgerPool.afterFailure(cause);
        String forWhom = transferId == null ? "" : " for transfer " + transferId;
        return new LedgerException("ledger: " + operation + " failed" + forWhom + ": " + cause.getMessage(), cause);
    }
}
