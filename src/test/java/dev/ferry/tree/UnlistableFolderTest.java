package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote folder that is there but refuses to be listed (a drop folder; proftpd's {@code <Limit LIST>}) answers
 * 550 like a missing one. Its names are not free for that: an upload into it still asks whether its name is taken, so
 * a file already there is kept under fileExist=Fail (the default) instead of being replaced by the rename.
 */
class UnlistableFolderTest {
    @TempDir
    Path tmp;

    @Test
    void aFileInAFolderThatRefusesListingIsNotReplaced() throws Exception {
        DefaultFtplet noListing = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
                    throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
                String command = request.getCommand().toUpperCase(Locale.ROOT);
                String argument = String.valueOf(request.getArgument());
                if ((command.equals("LIST") || command.equals("MLSD") || command.equals("NLST"))
                        && argument.contains("keep")) {
                    session.write(new DefaultFtpReply(550, "Listing not allowed here"));
                    return FtpletResult.SKIP;
                }
                return FtpletResult.DEFAULT;
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("nolist", noListing).start()) {
            Path theirs = PseudoRandomContent.write(ftp.file("up/keep/a.bin"), 5000, 1);
            String theirHash = Hashes.sha256(theirs);
            Path local = tmp.resolve("src");
            PseudoRandomContent.write(local.resolve("keep/a.bin"), 6000, 2);
            Path fresh = PseudoRandomContent.write(local.resolve("keep/b.bin"), 7000, 3);
            ServerProfile profile = ftp.profile(4).build();
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).upload(local, "/up/",
                        TransferOptions.none());
                assertEquals(theirHash, Hashes.sha256(ftp.file("up/keep/a.bin")),
                        "the server's a.bin was replaced: " + r.problems());
                assertEquals(Hashes.sha256(fresh), Hashes.sha256(ftp.file("up/keep/b.bin")), "b.bin on the server");
                assertTrue(r.problems().stream().anyMatch(p -> p.contains("a.bin")),
                        "a.bin's refusal is reported: " + r.problems());
            }
        }
    }
}
