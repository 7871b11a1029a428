package dev.ferry.ftp;

import dev.ferry.ftp.tls.DataSockets;
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
        Socket s = DataSockets.open(_socketFactory_, f -> _socketFactory_ = f,
                () -> super._openDataConnection_(command, arg));
        lastData = s;
        return s;
    }

    @Override
    public FTPListParseEngine initiateMListParsing(String pathName) throws IOException {
        return TolerantMlsd.engine(this, _openDataConnection_(FTPCmd.MLSD, pathName));
    }
}
