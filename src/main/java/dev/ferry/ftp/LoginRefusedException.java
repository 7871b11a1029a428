package dev.ferry.ftp;

/** The server refused the user name or password: permanent until a person fixes the profile. */
public final class LoginRefusedException extends FtpException {
    public LoginRefusedException(String message, int replyCode) {
        super(message, replyCode, false);
    }
}
