package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code get -r} where the server has a folder x and the local side a file x: the whole tree failed with the path as
 * its only reason ("ferry: /home/u/out/x", exit 1, nothing transferred). The folder is refused in words, nothing
 * below it is listed, and the rest of the tree comes down.
 */
class TreeFolderOverFileTest {
    @TempDir
    Path tmp;

    @Test
    void aRemoteFolderWhereALocalFileIsIsRefusedInWordsAndTheRestComesDown() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path a = PseudoRandomContent.write(ftp.file("t/a.bin"), 3000, 1);
            PseudoRandomContent.write(ftp.file("t/x/in.bin"), 2000, 2);
            Path out = tmp.resolve("out");
            Path x = PseudoRandomContent.write(out.resolve("x"), 10, 3);
            String mine = Hashes.sha256(x);
            ServerProfile profile = ftp.profile(4).build();
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/t/", out,
                        TransferOptions.none());
                assertEquals(Hashes.sha256(a), Hashes.sha256(out.resolve("a.bin")), r.problems().toString());
                assertEquals(mine, Hashes.sha256(x), "the local file x was changed");
                assertEquals(1, r.refused(), r.problems().toString());
                assertEquals(0, r.failed(), r.problems().toString());
                assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("refused x:") && p.contains("is a file")
                        && p.contains("move the file aside")), r.problems().toString());
                assertFalse(r.complete());
            }
        }
    }
}
