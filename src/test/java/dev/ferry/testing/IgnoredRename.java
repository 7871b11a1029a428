package dev.ferry.testing;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/** A server that answers RNTO with 250 and renames nothing: Apache's own RNTO is skipped. */
public final class IgnoredRename extends DefaultFtplet {
    private final AtomicInteger ignored = new AtomicInteger();
    private final java.util.function.Predicate<String> which;

    /** Every rename ignored. */
    public IgnoredRename() {
        this(name -> true);
    }

    /** The renames to a name {@code which} takes ignored, the others carried out. */
    public IgnoredRename(java.util.function.Predicate<String> which) {
        this.which = which;
    }

    /** RNTO commands answered 250 without a rename. */
    public int ignored() {
        return ignored.get();
    }

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
        if (!"RNTO".equals(request.getCommand()) || !which.test(String.valueOf(request.getArgument()))) {
            return super.beforeCommand(session, request);
        }
        ignored.incrementAndGet();
        session.write(new DefaultFtpReply(250, "Requested file action okay, file renamed."));
        return FtpletResult.SKIP;
    }
}
