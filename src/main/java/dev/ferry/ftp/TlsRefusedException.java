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

    /**
     * The server (or something on the way) answered AUTH TLS with its yes and then did not speak TLS: as much a server
     * without TLS as one that says no, and as little mended by trying again (it was tried again as an outage, "cannot
     * reach … Unsupported or unrecognized SSL message", though the server had answered).
     */
    TlsRefusedException(String where, int replyCode, Throwable cause) {
        super("server " + where + " answered AUTH TLS with " + replyCode + " (TLS accepted) but then did not speak TLS"
                + " on the control connection: the server, or something between it and Ferry, does not do TLS; Ferry"
                + " never falls back to plain FTP: check the server's TLS setup and the network path", replyCode,
                false, cause);
    }
}
