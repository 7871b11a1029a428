package dev.ferry.ftp;

/** The remote file does not exist (550 on SIZE, MDTM, MLST or RETR). */
public final class RemoteNotFoundException extends FtpException {
    public RemoteNotFoundException(String message, int replyCode) {
        super(message, replyCode, false);
    }
}
