package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a file deleted from the server after the tree was listed (a resumed get -r does not list again),
 * its local copy of the same size there, from a server whose listing has no exact times (vsftpd's LIST): mirror's test
 * asked its time (MDTM), the 550 ended the whole tree, and every rerun ended the same way. That file fails; the rest
 * of the tree comes down.
 */
class GoneSinceListedTest {
    @TempDir
    Path tmp;

    @Test
    void aFileGoneSinceTheListingFailsAloneAndTheTreeGoesOn() throws Exception {
        try (TreeHarness h = new TreeHarness(FtpServerFixture.builder().start(), tmp.resolve("ledger"))) {
            Path gone = h.ftp.write("t/gone.bin", 1000, 1);
            Path stays = h.ftp.write("t/stays.bin", 2000, 2);
            Path out = tmp.resolve("out");
            Files.createDirectories(out);
            Files.write(out.resolve("gone.bin"), new byte[1000]); // same size: mirror's test asks its time
            PooledListing real = h.listing();
            ListingSource listOnceThenDelete = (dir, each) -> {
                real.list(dir, each);
                Files.deleteIfExists(gone); // gone between the listing and the file's turn
                return false; // LIST's times: not exact
            };
            TreeResult r = h.run(listOnceThenDelete).download("/t/", out, TransferOptions.none());
            assertEquals(Hashes.sha256(stays), Hashes.sha256(out.resolve("stays.bin")), r.toString());
            assertEquals(1, r.failed(), r.toString());
            assertTrue(String.join("\n", r.problems()).contains("gone.bin"), r.problems().toString());
        }
    }
}
