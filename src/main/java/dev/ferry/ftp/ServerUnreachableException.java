package dev.ferry.ftp;

/**
 * No FTP server answered at all: the connection was refused, the host or network is unreachable, or the connect
 * (or the banner) timed out. An outage, not an answer: a caller may wait for the server to come back for longer than
 * it retries a failure the server did answer (a login refused is a {@link LoginRefusedException}, never this).
 */
public final class ServerUnreachableException extends FtpException {
    public ServerUnreachableException(String message, Throwable cause) {
        super(message, 0, true, cause);
    }
}
