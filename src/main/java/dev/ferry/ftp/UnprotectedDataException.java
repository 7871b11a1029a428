package dev.ferry.ftp;

/**
 * An FTPS server accepted {@code PROT P} and then did not speak TLS on a data connection: it sends files in plain
 * (it keeps {@code PROT C}). Permanent until the server changes, like a refused AUTH TLS: Ferry never reads or writes a
 * file's bytes unencrypted on an ftps:// session, and trying again only repeats it.
 */
public final class UnprotectedDataException extends FtpException {
    UnprotectedDataException(ServerProfile profile, Throwable cause) {
        super("server " + profile + " accepted PROT P (encrypted data connections) but its data connection did not"
                + " speak TLS: it sends files unencrypted. Ferry never moves a file's bytes in plain on an ftps://"
                + " session; enable TLS for data connections on the server (vsftpd force_local_data_ssl, proftpd"
                + " TLSRequired on, pure-ftpd -Y 2 or higher), or use ftp:// (tls none) where the network may see the"
                + " files and the password", 0, false, cause);
    }
}
