package dev.ferry.testing;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * A strict cap on connections, counted at connect time like vsftpd's {@code max_per_ip}: Apache's own
 * ConcurrentLoginPermission counts only after a login completes, so logins racing each other all get in.
 */
final class ConnectionCap extends DefaultFtplet {
    private final int cap;
    private final Set<UUID> admitted = new HashSet<>();
    private int refused;

    ConnectionCap(int cap) {
        this.cap = cap;
    }

    @Override
    public FtpletResult onConnect(FtpSession session) throws FtpException, IOException {
        synchronized (this) {
            if (cap <= 0 || admitted.size() < cap) {
                admitted.add(session.getSessionId());
                return FtpletResult.DEFAULT;
            }
            refused++;
        }
        session.write(new DefaultFtpReply(421, "Too many connections (" + cap + ") from this IP"));
        return FtpletResult.DISCONNECT;
    }

    @Override
    public FtpletResult onDisconnect(FtpSession session) {
        synchronized (this) {
            admitted.remove(session.getSessionId());
        }
        return FtpletResult.DEFAULT;
    }

    synchronized int refused() {
        return refused;
    }
}
