package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.MlsdReply;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Files;
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
 * proftpd lists a folder the user may not read with an empty permission fact ({@code perm=;type=dir;... locked}), and
 * commons-net's MLSD parser throws on it (StringIndexOutOfBoundsException): {@code get -r} of the folder around it
 * failed as a whole, "ferry: String index out of range: -1", exit 1, nothing downloaded. Such a line is read by its
 * facts and name (the folder is then listed, and refused in the server's words); a line that is not MLSD at all is
 * refused as one that could not be parsed; the rest of the folder comes down, and nothing is deleted in a folder
 * whose listing was not whole or failed.
 */
class UnparsableListingLineTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderTheParserChokedOnIsListedAndRefusedInTheServersWordsAndTheRestComesDown() throws Exception {
        DefaultFtplet proftpdLike = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
                    throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
                String argument = String.valueOf(request.getArgument());
                if (!request.getCommand().toUpperCase(Locale.ROOT).equals("MLSD")) {
                    return FtpletResult.DEFAULT;
                }
                if (argument.matches("/?t/locked/?")) {
                    session.write(new DefaultFtpReply(550, argument + ": Permission denied"));
                    return FtpletResult.SKIP;
                }
                if (!argument.matches("/?t/?")) {
                    return FtpletResult.DEFAULT;
                }
                // A line that is not MLSD first: after another line it would be read as the rest of that line's
                // name, whose line break proftpd sends as CRLF (ListingLines)
                return MlsdReply.send(session, "this line is not MLSD\r\n"
                        + "modify=20261205073149;perm=flcdmpe;type=cdir; .\r\n"
                        + "modify=20261205073149;perm=;type=dir;unique=FE00U20E512;UNIX.mode=00; locked\r\n"
                        + "modify=20261201100000;perm=adfr;size=5000;type=file; a.bin\r\n"
                        + "modify=20261201100000;perm=flcdmpe;type=dir; sub\r\n");
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("proftpd-like", proftpdLike).start()) {
            Path a = PseudoRandomContent.write(ftp.file("t/a.bin"), 5000, 1);
            Path b = PseudoRandomContent.write(ftp.file("t/sub/b.bin"), 7000, 2);
            Files.createDirectories(ftp.file("t/locked"));
            Path local = tmp.resolve("out");
            Path mine = PseudoRandomContent.write(local.resolve("mine.bin"), 10, 3);
            Path mineUnder = PseudoRandomContent.write(local.resolve("locked/mine.bin"), 10, 4);
            ServerProfile profile = ftp.profile(4).build();
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/t/", local,
                        TransferOptions.none(), new TreeFilter(null, null, null, true));
                assertEquals(Hashes.sha256(a), Hashes.sha256(local.resolve("a.bin")), "a.bin: " + r.problems());
                assertEquals(Hashes.sha256(b), Hashes.sha256(local.resolve("sub/b.bin")), "sub/b.bin: " + r.problems());
                assertEquals(2, r.refused(), r.problems().toString());
                assertTrue(r.problems().stream().anyMatch(p -> p.contains("locked") && p.contains("Permission denied")),
                        r.problems().toString());
                assertTrue(r.problems().stream().anyMatch(p -> p.contains("could not be parsed")), r.problems()
                        .toString());
                assertTrue(Files.exists(mine), "a local file was deleted under a listing that was not whole");
                assertTrue(Files.exists(mineUnder), "a local file was deleted under a folder that could not be listed");
            }
        }
    }
}
