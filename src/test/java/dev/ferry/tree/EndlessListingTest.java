package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.EndlessListing;
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
 * A hostile review of the server side: a folder whose listing never ends held {@code get -r} for ever, its heap
 * growing by the listing's lines (6 GiB in 12 minutes) and deaf to SIGTERM, since commons-net reads a whole listing
 * before it hands out an entry. A listing is now read to a bound: the folder is taken as far as the tree's entry
 * limit, the rest reported not taken, and the other folders are transferred.
 */
class EndlessListingTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderWhoseListingNeverEndsIsCutAndTheRestOfTheTreeIsTransferred() throws Exception {
        EndlessListing endless = new EndlessListing("/tree/endless");
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("endless", endless).start()) {
            Path remote = PseudoRandomContent.write(ftp.file("tree/a.bin"), 50_000, 3);
            Files.createDirectories(ftp.file("tree/endless"));
            ServerProfile profile = ftp.profile(4).build();
            Path out = tmp.resolve("out");
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                TreeResult r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> new TreeRun(engine,
                        profile.name(), new TreeLimits(32, 1000, 4)).download("/tree/", out, TransferOptions.none()));

                assertEquals(1, r.transferred(), r.toString());
                assertEquals(Hashes.sha256(remote), Hashes.sha256(out.resolve("a.bin")));
                assertTrue(r.problems().stream().anyMatch(p -> p.contains("not taken")), r.problems().toString());
                assertTrue(endless.linesSent() < 10_000_000, endless.linesSent() + " lines read");
            }
        }
    }
}
