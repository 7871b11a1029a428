package dev.ferry.cli;

/** The command's ledger could not be opened; the message says what to do with {@code --ledger}. */
final class CliLedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The folder given (or the default's) cannot be made or written: a local problem, exit 3. */
    final boolean local;

    CliLedgerException(String message, Throwable cause, boolean local) {
        super(message, cause);
        this.local = local;
    }
}
