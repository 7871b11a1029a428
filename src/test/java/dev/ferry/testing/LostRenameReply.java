package dev.ferry.testing;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * The worst moment for a connection to drop during a publish: the server renamed the file, and the client never
 * hears the 250. The first {@code n} RNTO commands are carried out here, and the session closes without a reply.
 */
final class LostRenameReply extends DefaultFtplet {
    private final AtomicInteger left;
    private final AtomicInteger lost = new AtomicInteger();

    LostRenameReply(int n) {
        this.left = new AtomicInteger(n);
    }

    @Override
    public FtpletResult onRenameStart(FtpSession session, FtpRequest request) throws FtpException {
        FtpFile from = session.getRenameFrom();
        if (from == null || left.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) {
            return FtpletResult.DEFAULT;
        }
        FtpFile to = session.getFileSystemView().getFile(request.getArgument());
        if (!from.move(to)) {
            throw new FtpException("the fixture could not rename " + from.getAbsolutePath() + " for a lost reply");
        }
        lost.incrementAndGet();
        // DISCONNECT skips Apache's own RNTO and its reply.
        return FtpletResult.DISCONNECT;
    }

    int lost() {
        return lost.get();
    }
}
