package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a download the server refused for good (550 on RETR: a file the user may not read) left its part
 * file, sized to the file and all holes, hidden in the target folder for ever (even a mirror's --delete keeps part
 * files). A failure before any byte was written leaves no part file.
 */
class RefusedDownloadTest {
    @TempDir
    Path tmp;

    @Test
    void aDownloadRefusedBeforeItsFirstByteLeavesNoPartFile() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("refuse", new RefuseRetr()).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("pub/secret.bin", 300_000, 1);
            Path out = Files.createDirectories(tmp.resolve("out"));
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.download("/pub/secret.bin", out.resolve("secret.bin"), TransferOptions.none())));
            assertTrue(e.getMessage().contains("550"), e.getMessage());
            try (Stream<Path> left = Files.list(out)) {
                assertEquals(java.util.List.of(), left.toList(), "left in the target folder");
            }
        }
    }

    private static final class RefuseRetr extends DefaultFtplet {
        @Override
        public FtpletResult beforeCommand(org.apache.ftpserver.ftplet.FtpSession session, FtpRequest request)
                throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
            if (request.getCommand().equalsIgnoreCase("RETR")) {
                session.write(new DefaultFtpReply(550, request.getArgument() + ": Permission denied"));
                return FtpletResult.SKIP;
            }
            return FtpletResult.DEFAULT;
        }
    }
}
