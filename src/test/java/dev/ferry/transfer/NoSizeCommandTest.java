package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with RFC 959's commands only: no SIZE, no MLST (the TLS review met one). A download failed with "size -1
 * is negative", an error of Ferry's own making. The file's LIST line gives its size now, and where that gives none
 * either, the failure says what is missing and that nothing can be verified without it.
 */
class NoSizeCommandTest {
    private static final int SIZE = 300_000;

    @TempDir
    Path tmp;

    @Test
    void theSizeComesFromTheFilesListingLine() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("old", new Rfc959Only(Set.of())).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("old/a.bin", SIZE, 5);
            Path target = tmp.resolve("out/a.bin");
            TransferResult r = h.engine.run(h.download("/old/a.bin", target, TransferOptions.none()));
            assertEquals(SIZE, r.size());
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        }
    }

    @Test
    void withoutAnySizeTheFailureSaysWhatIsMissing() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("old", new Rfc959Only(Set.of("LIST"))).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("old/a.bin", SIZE, 5);
            Path target = tmp.resolve("out/a.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.download("/old/a.bin", target, TransferOptions.none())));
            assertTrue(e.getMessage().contains("tells no size") && e.getMessage().contains("SIZE"), e.getMessage());
            assertFalse(e.getMessage().contains("negative"), e.getMessage());
            assertFalse(Files.exists(target));
        }
    }

    /** Answers FEAT without SIZE and MLST, refuses those two (502), and any command in {@code refused} too. */
    private static final class Rfc959Only extends DefaultFtplet {
        private final Set<String> refused;

        Rfc959Only(Set<String> refused) {
            this.refused = refused;
        }

        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
                throws org.apache.ftpserver.ftplet.FtpException, IOException {
            String command = request.getCommand();
            if ("FEAT".equals(command)) {
                session.write(new DefaultFtpReply(211, "Extensions supported\n MDTM\n REST STREAM\nEnd"));
                return FtpletResult.SKIP;
            }
            if ("SIZE".equals(command) || "MLST".equals(command) || "MLSD".equals(command)
                    || refused.contains(command)) {
                session.write(new DefaultFtpReply(502, "Command not implemented."));
                return FtpletResult.SKIP;
            }
            return super.beforeCommand(session, request);
        }
    }
}
