package dev.ferry.testing;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * A server that answers {@code REST n} with 350 and then ignores it: the next RETR or STOR starts at byte 0, as some
 * servers and gateways do. The 350 is written here and Apache's own REST, which would set the offset, is skipped.
 */
public final class IgnoredRest extends DefaultFtplet {
    private final AtomicInteger ignored = new AtomicInteger();

    /** REST commands answered 350 with a non-zero offset, and ignored. */
    public int ignored() {
        return ignored.get();
    }

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
        if (!"REST".equals(request.getCommand())) {
            return super.beforeCommand(session, request);
        }
        if (!"0".equals(request.getArgument())) {
            ignored.incrementAndGet();
        }
        session.write(new DefaultFtpReply(350, "Restarting at " + request.getArgument() + ". Send STORE or RETRIEVE"));
        return FtpletResult.SKIP;
    }
}
