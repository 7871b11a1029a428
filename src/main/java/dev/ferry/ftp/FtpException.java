package dev.ferry.ftp;

import java.io.IOException;

/**
 * A negative or missing reply from the server, with its code and text. {@link #isTransient()} tells a retry
 * loop whether trying again can help: a 4xx reply or a broken connection can, a 5xx reply (no such file,
 * permission denied, login refused) cannot.
 */
public class FtpException extends IOException {
    private final int replyCode;
    private final boolean transientFailure;

    public FtpException(String message, int replyCode, boolean transientFailure) {
        super(message);
        this.replyCode = replyCode;
        this.transientFailure = transientFailure;
    }

    public FtpException(String message, int replyCode, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.replyCode = replyCode;
        this.transientFailure = transientFailure;
    }

    /** The FTP reply code, or 0 when the server said nothing (a dropped connection, a timeout). */
    public int replyCode() {
        return replyCode;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /**
     * A reply-based failure: 4xx is transient, 5xx permanent, except vsftpd's "500 OOPS": its report of an internal
     * failure that ends the session (a passive port or a process it could not get), not an answer about the file, so
     * a new session can succeed.
     */
    public static FtpException reply(String what, int code, String serverText) {
        String text = serverText == null ? "" : serverText.strip();
        return new FtpException(what + ": server replied " + (text.isEmpty() ? String.valueOf(code) : text)
                + reuseHint(text), code,
                code < 500 || (code == 500 && (text.startsWith("500 OOPS") || text.startsWith("OOPS"))));
    }

    /**
     * vsftpd's refusal of a data connection that did not resume the control connection's TLS session, which says
     * nothing of what to do: Ferry resumes it over TLS 1.2, and over TLS 1.3 (a server that refused 1.2) the JDK drops
     * vsftpd's session tickets, so nothing can be resumed.
     */
    private static String reuseHint(String text) {
        return text.contains("session reuse required") ? " (the server wants each data connection to resume the"
                + " control connection's TLS session, which Ferry does over TLS 1.2 only: enable TLS 1.2 on the server,"
                + " or let it take fresh sessions, vsftpd require_ssl_reuse=NO)" : "";
    }
}
