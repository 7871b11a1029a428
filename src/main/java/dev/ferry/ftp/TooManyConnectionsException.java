package dev.ferry.ftp;

/**
 * The server refused one more connection ({@code 421}, or {@code 530} with a "too many" text). Not a failure of
 * the transfer: the connection budget for the server goes down and the work waits for a free connection.
 */
public final class TooManyConnectionsException extends FtpException {
    public TooManyConnectionsException(String message, int replyCode) {
        super(message, replyCode, true);
    }

    /** Servers say it in many ways; these are the words vsftpd, proftpd, pure-ftpd and Apache FtpServer use. */
    static boolean saysTooMany(int code, String text) {
        if (code == 421) {
            return true;
        }
        if (code != 530 || text == null) {
            return false;
        }
        String t = text.toLowerCase(java.util.Locale.ROOT);
        return t.contains("too many") || t.contains("maximum number") || t.contains("max number")
                || t.contains("limit") || t.contains("already connected");
    }

    /** The server's words, or its code where it gave none (a bare {@code 421} read as a closed connection). */
    static String reason(int code, String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || t.matches("\\d{3}[ -]?")) {
            return "reply " + (code > 0 ? code : 421) + " with no reason given";
        }
        return t;
    }
}
