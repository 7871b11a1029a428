package dev.ferry.ftp;

import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPCmd;
import org.apache.commons.net.ftp.FTPListParseEngine;

/** commons-net's client, with MLSD read by {@link TolerantMlsd}, and its last data socket kept for a cut. */
final class ListingClient extends FTPClient {
    private volatile Socket lastData;

    /** The data connection opened last: {@link FtpSession#cut} closes it to end a blocked write. */
    Socket lastDataSocket() {
        return lastData;
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        dev.ferry.ftp.tls.DataSockets opening = new dev.ferry.ftp.tls.DataSockets(_socketFactory_);
        _socketFactory_ = opening;
        try {
            Socket s = super._openDataConnection_(command, arg);
            lastData = s;
            return s;
        } catch (IOException | RuntimeException e) {
            opening.closeMade();
            throw e;
        } finally {
            _socketFactory_ = opening.wrapped();
        }
    }

    @Override
    public FTPListParseEngine initiateMListParsing(String pathName) throws IOException {
        return TolerantMlsd.engine(this, _openDataConnection_(FTPCmd.MLSD, pathName));
    }
}
