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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that lists a name twice in one folder (a listing read while the folder changed, a buggy server): the file
 * ran twice, the second run met the first's download and failed "already exists", and the folder ended incomplete
 * with a failed file that had arrived. The same entry twice is taken once; a name listed again with other facts is
 * refused for the second entry, saying so, and the first is taken.
 */
class DuplicateListingTest {
    @TempDir
    Path tmp;

    @Test
    void aNameListedTwiceIsTakenOnce() throws Exception {
        DefaultFtplet twice = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
                    throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
                if (!request.getCommand().toUpperCase(Locale.ROOT).equals("MLSD")
                        || !String.valueOf(request.getArgument()).matches("/?d/?")) {
                    return FtpletResult.DEFAULT;
                }
                return MlsdReply.send(session, "modify=20261201100000;perm=adfr;size=5000;type=file; a.bin\r\n"
                        + "modify=20261201100000;perm=adfr;size=7000;type=file; c.bin\r\n"
                        + "modify=20261201100000;perm=adfr;size=5000;type=file; a.bin\r\n"
                        + "modify=20261201100000;perm=adfr;size=9999;type=file; c.bin\r\n");
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("twice", twice).start()) {
            Path a = PseudoRandomContent.write(ftp.file("d/a.bin"), 5000, 1);
            Path c = PseudoRandomContent.write(ftp.file("d/c.bin"), 7000, 2);
            Path local = tmp.resolve("out");
            ServerProfile profile = ftp.profile(4).build();
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/d/", local,
                        TransferOptions.none(), new TreeFilter(null, null, null, false));
                assertEquals(0, r.failed(), r.problems().toString());
                assertEquals(2, r.transferred(), r.problems().toString());
                assertEquals(Hashes.sha256(a), Hashes.sha256(local.resolve("a.bin")));
                assertEquals(Hashes.sha256(c), Hashes.sha256(local.resolve("c.bin")));
                assertEquals(1, r.refused(), r.problems().toString());
                assertTrue(r.problems().stream().anyMatch(p -> p.contains("c.bin") && p.contains("listed twice")
                        && p.contains("9999 bytes")), r.problems().toString());
            }
        }
    }
}
