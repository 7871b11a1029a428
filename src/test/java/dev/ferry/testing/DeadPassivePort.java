package dev.ferry.testing;

import java.io.IOException;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/** A server whose EPSV and PASV replies name {@code port}, where nothing listens. */
public final class DeadPassivePort extends DefaultFtplet {
    private final int port;

    public DeadPassivePort(int port) {
        this.port = port;
    }

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
        if ("EPSV".equals(request.getCommand())) {
            session.write(new DefaultFtpReply(229, "Entering Extended Passive Mode (|||" + port + "|)"));
            return FtpletResult.SKIP;
        }
        if ("PASV".equals(request.getCommand())) {
            session.write(new DefaultFtpReply(227, "Entering Passive Mode (127,0,0,1," + (port >> 8) + ","
                    + (port & 255) + ")"));
            return FtpletResult.SKIP;
        }
        return super.beforeCommand(session, request);
    }
}
