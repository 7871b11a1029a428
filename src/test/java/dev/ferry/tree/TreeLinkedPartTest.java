package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.PartFiles;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download publishes by a hard link from its part file to the final name, then removes the part file's name; a
 * `get -r` killed between the two (CI caught it, CliTreeListingResumeTest) left the part file beside the file for
 * ever: the resumed run skipped the file as already there. It takes that name away now.
 */
class TreeLinkedPartTest {
    @TempDir
    Path tmp;

    @Test
    void aPartFileLinkedToItsPublishedFileGoesWhenTheTreeSkipsTheFile() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServerProfile profile = ftp.profile(4).build();
            try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
                 TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                         TransferOptions.none(), Duration.ofMillis(200))) {
                Path remote = ftp.file("tree");
                PseudoRandomContent.write(remote.resolve("a.bin"), 30_000, 1);
                PseudoRandomContent.write(remote.resolve("sub/b.bin"), 40_000, 2);
                Path out = tmp.resolve("out");
                TreeResult first = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                        TransferOptions.none());
                assertEquals(2, first.transferred(), first.problems().toString());

                // As a run killed between the link and the removal of the part file's name leaves it.
                Path published = out.resolve("sub/b.bin");
                TransferRecord row = ledger.inTree(first.id(), 10).stream()
                        .filter(t -> Path.of(t.localPath()).equals(published.toAbsolutePath())
                                || Path.of(t.localPath()).equals(published)).findFirst().orElseThrow();
                Path part = PartFiles.localPart(published, row.id(), ledger.instance());
                Files.createLink(part, published);
                Path stranger = Files.writeString(out.resolve("sub/.notes.txt"), "someone else's hidden file");

                TreeResult second = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                        TransferOptions.none());
                assertEquals(2, second.skipped(), second.problems().toString());
                assertFalse(Files.exists(part), "the part file's name is left beside the published file");
                assertEquals(Hashes.sha256(remote.resolve("sub/b.bin")), Hashes.sha256(published));
                assertEquals(Hashes.sha256(remote.resolve("a.bin")), Hashes.sha256(out.resolve("a.bin")));
                assertTrue(Files.exists(stranger), "a hidden file that is no part file of ours stays");
            }
        }
    }
}
