package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * A server whose MLSD of {@code dir} never ends: line after line, each a symbolic link (refused by name, so a tree
 * that takes some of them moves nothing), for as long as the client reads. Other folders list as usual.
 */
public final class EndlessListing extends DefaultFtplet {
    private final String dir;
    private final AtomicLong sent = new AtomicLong();

    public EndlessListing(String dir) {
        this.dir = dir;
    }

    /** Listing lines sent so far, over every MLSD of the folder. */
    public long linesSent() {
        return sent.get();
    }

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
        if (!"MLSD".equals(request.getCommand()) || !dir.equals(request.getArgument())) {
            return super.beforeCommand(session, request);
        }
        session.write(new DefaultFtpReply(150, "Here comes the listing, all of it"));
        try {
            DataConnection data = session.getDataConnection().openConnection();
            data.transferToClient(session, new Lines());
            session.write(new DefaultFtpReply(226, "Done (never reached)"));
        } catch (Exception e) {
            session.write(new DefaultFtpReply(426, "Data connection closed; transfer aborted"));
        } finally {
            session.getDataConnection().closeDataConnection();
        }
        return FtpletResult.SKIP;
    }

    private final class Lines extends InputStream {
        private byte[] line = new byte[0];
        private int at;

        @Override
        public int read() {
            if (at == line.length) {
                line = ("type=OS.unix=symlink;size=1;modify=20260101000000; link" + sent.getAndIncrement() + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                at = 0;
            }
            return line[at++];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = 0;
            while (n < len) {
                b[off + n++] = (byte) read();
                if (at == line.length) {
                    break;
                }
            }
            return n;
        }
    }
}
