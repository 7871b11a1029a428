package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.time.Duration;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;

/**
 * A hostile review: replies cut short on the way (a proxy that drops the connection mid-reply) reached the user as
 * Java's own words — "Cannot invoke java.util.Calendar.toInstant() because ... parseGMTdateTime(String) is null" for
 * an MDTM reply of "213 2", "For input string" for a SIZE of "213" — and ended the transfer without a retry. They are
 * a transient failure of the connection, which the step's retry gets past.
 */
class GarbledReplyTest {
    @Test
    void aReplyCutShortIsATransientFailureOfTheConnection() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("garble", new Garble()).start()) {
            ftp.write("a.bin", 1000, 1);
            ServerProfile profile = ServerProfile.builder("garbled").host(ftp.host()).port(ftp.port())
                    .user(ftp.user()).password(ftp.password()).connectTimeout(Duration.ofSeconds(5))
                    .soTimeout(Duration.ofSeconds(5)).dataTimeout(Duration.ofSeconds(5)).build();
            for (String command : new String[] {"MDTM", "SIZE"}) {
                try (FtpSession session = FtpSession.open(profile, null)) {
                    FtpException e = assertThrows(FtpException.class, () -> {
                        if (command.equals("MDTM")) {
                            session.modified("/a.bin");
                        } else {
                            session.size("/a.bin");
                        }
                    }, command);
                    assertTrue(e.isTransient(), command + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains("could not be read"), e.getMessage());
                    assertTrue(session.isBroken(), command + ": a session that misread a reply is not used again");
                }
            }
            try (FtpSession session = FtpSession.open(profile, null)) {
                assertEquals(1000, session.size("/a.bin"), "answered whole the next time");
            }
        }
    }

    /** Answers the first MDTM and the first SIZE with a reply cut short. */
    private static final class Garble extends DefaultFtplet {
        private final java.util.Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public FtpletResult beforeCommand(org.apache.ftpserver.ftplet.FtpSession session, FtpRequest request)
                throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
            String c = request.getCommand().toUpperCase(java.util.Locale.ROOT);
            if ((c.equals("MDTM") || c.equals("SIZE")) && done.add(c)) {
                session.write(new DefaultFtpReply(213, c.equals("MDTM") ? "2" : ""));
                return FtpletResult.SKIP;
            }
            return FtpletResult.DEFAULT;
        }
    }
}
