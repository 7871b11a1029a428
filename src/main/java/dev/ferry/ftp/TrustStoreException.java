package dev.ferry.ftp;

/**
 * A server profile's trust store cannot be used: not there, not readable, not PKCS12, or its password wrong. A local
 * setting to correct (exit 3 on the command line, as another local file problem), which no retry mends.
 */
public final class TrustStoreException extends FtpException {
    TrustStoreException(String message, Throwable cause) {
        super(message, 0, false, cause);
    }
}
