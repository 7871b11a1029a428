package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;

/** A session that could not go back to its directory after looking into a folder is not reused. */
class FtpSessionIsDirectoryTest {
    @Test
    void aSessionThatCannotCwdBackIsBroken() throws Exception {
        AtomicInteger cwds = new AtomicInteger();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("noWayBack", new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(org.apache.ftpserver.ftplet.FtpSession session, FtpRequest request)
                    throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
                if ("CWD".equalsIgnoreCase(request.getCommand()) && cwds.incrementAndGet() > 1) {
                    session.write(new DefaultFtpReply(550, "Not now"));
                    return FtpletResult.SKIP;
                }
                return FtpletResult.DEFAULT;
            }
        }).start()) {
            ftp.write("dir/a.bin", 10, 1);
            try (FtpSession session = FtpSession.open(ServerProfile.builder("t").host(ftp.host()).port(ftp.port())
                    .user(ftp.user()).password(ftp.password()).build(), null)) {
                assertFalse(session.isBroken());
                assertTrue(session.isDirectory("/dir"));
                assertTrue(session.isBroken(), "left in /dir, it would go back to the pool");
            }
        }
    }
}
