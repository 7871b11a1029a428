package dev.ferry.ftp;

/**
 * The server answered {@code AUTH TLS} with a refusal: it does not offer explicit FTPS. Permanent until the server or
 * the profile changes; Ferry never goes on in plain FTP instead.
 */
public final class TlsRefusedException extends FtpException {
    TlsRefusedException(String where, int replyCode, String reply, Throwable cause) {
        super("server " + where + " does not offer TLS: it answered AUTH TLS with '" + reply + "'; ftps:// (tls"
                + " explicit) needs a server with explicit FTPS, and Ferry never falls back to plain FTP: enable TLS on"
                + " the server, or use ftp:// (tls none) where the network may see the password", replyCode, false,
                cause);
    }
}
