package dev.ferry.ftp;

import java.io.IOException;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPCmd;
import org.apache.commons.net.ftp.FTPListParseEngine;

/** commons-net's client, with MLSD read by {@link TolerantMlsd}. */
final class ListingClient extends FTPClient {
    @Override
    public FTPListParseEngine initiateMListParsing(String pathName) throws IOException {
        return TolerantMlsd.engine(this, _openDataConnection_(FTPCmd.MLSD, pathName));
    }
}
