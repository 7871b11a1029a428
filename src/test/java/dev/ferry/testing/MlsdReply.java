package dev.ferry.testing;

import java.io.IOException;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * A listing a fixture server's ftplet sends instead of its own, line by line as the test wrote it (CRLF included):
 * what a hostile or buggy server lists, over a real data connection.
 */
public final class MlsdReply {
    private MlsdReply() {
    }

    /** Answers the MLSD command in hand with {@code lines}; the ftplet returns what this returns. */
    public static FtpletResult send(FtpSession session, String lines)
            throws org.apache.ftpserver.ftplet.FtpException, IOException {
        session.write(new DefaultFtpReply(150, "Opening ASCII mode data connection for MLSD"));
        DataConnection data;
        try {
            data = session.getDataConnection().openConnection();
        } catch (Exception e) {
            throw new IOException(e);
        }
        data.transferToClient(session, lines);
        session.getDataConnection().closeDataConnection();
        session.write(new DefaultFtpReply(226, "Transfer complete"));
        return FtpletResult.SKIP;
    }
}
