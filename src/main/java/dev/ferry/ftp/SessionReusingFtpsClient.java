package dev.ferry.ftp;

import org.apache.commons.net.ftp.FTPSClient;

/** Explicit FTPS client; data connections reuse the control connection's TLS session (see the helper's notes). */
class SessionReusingFtpsClient extends FTPSClient {
    SessionReusingFtpsClient() {
        super("TLS", false);
    }
}
