package dev.ferry.ftp;

/**
 * The server's TLS certificate was refused: not trusted, made out to another name, or out of its dates — on the
 * control connection or a data connection. Permanent: the next try meets the same certificate, and a person must
 * decide (trust it, connect by its name, have it renewed), so the command line says so by its own exit code rather
 * than "run again to resume".
 */
public final class TlsCertificateException extends FtpException {
    public TlsCertificateException(String message, Throwable cause) {
        super(message, 0, false, cause);
    }
}
