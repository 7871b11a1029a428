package dev.ferry.testing;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * Counts successful logins and the peak number of sessions logged in at once, so a test can prove that a
 * client respected a server's connection limit rather than merely surviving it; and the commands it answered.
 */
final class SessionTracker extends DefaultFtplet {

    private final Set<UUID> loggedIn = ConcurrentHashMap.newKeySet();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger failedLogins = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final Map<String, AtomicInteger> commands = new ConcurrentHashMap<>();

    @Override
    public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply)
            throws FtpException, IOException {
        commands.computeIfAbsent(request.getCommand(), c -> new AtomicInteger()).incrementAndGet();
        // onLogin runs before PASS is checked; only the 230 reply proves the login happened.
        if ("PASS".equals(request.getCommand()) && reply.getCode() == FtpReply.REPLY_230_USER_LOGGED_IN
                && loggedIn.add(session.getSessionId())) {
            logins.incrementAndGet();
            peak.accumulateAndGet(loggedIn.size(), Math::max);
        }
        if ("PASS".equals(request.getCommand()) && reply.getCode() == FtpReply.REPLY_530_NOT_LOGGED_IN) {
            failedLogins.incrementAndGet();
        }
        if ("QUIT".equals(request.getCommand())) {
            // The session ends at the 221 the client waits for before it counts its connection free: the server's
            // own disconnect callback can run after that client's next login (seen as 7 at once under a cap of 6 in
            // ClusterFaultTest, three CI runs, with every client's QUIT answered before its next PASS).
            loggedIn.remove(session.getSessionId());
        }
        return super.afterCommand(session, request, reply);
    }

    @Override
    public FtpletResult onDisconnect(FtpSession session) {
        loggedIn.remove(session.getSessionId());
        return FtpletResult.DEFAULT;
    }

    int logins() {
        return logins.get();
    }

    int failedLogins() {
        return failedLogins.get();
    }

    int commands(String name) {
        AtomicInteger n = commands.get(name);
        return n == null ? 0 : n.get();
    }

    int current() {
        return loggedIn.size();
    }

    int peak() {
        return peak.get();
    }

    void reset() {
        logins.set(0);
        failedLogins.set(0);
        peak.set(loggedIn.size());
        commands.clear();
    }
}
