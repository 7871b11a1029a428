package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.FtpException;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PublishedTree;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: one connection cut under a subfolder's listing had the folder refused at once, its files never
 * sent, where a cut under a file is retried. The listing is tried again from its start, the entries of the cut try
 * forgotten (not counted twice, not sent twice).
 */
class ListingRetryTest {
    @TempDir
    Path tmp;

    @Test
    void aListingCutPartWayIsTriedAgainWhole() throws Exception {
        try (TreeHarness h = new TreeHarness(FtpServerFixture.builder().start(), tmp.resolve("ledger"))) {
            for (int i = 0; i < 5; i++) {
                h.ftp.write("t/sub/f" + i + ".bin", 1000 + i, i);
            }
            h.ftp.write("t/top.bin", 500, 9);
            PooledListing real = h.listing();
            AtomicInteger cuts = new AtomicInteger();
            ListingSource cutOnce = (dir, each) -> {
                if (dir.endsWith("/sub") && cuts.getAndIncrement() == 0) {
                    int[] seen = {0};
                    real.list(dir, f -> {
                        if (seen[0]++ < 3) {
                            each.accept(f); // handed over before the cut
                        }
                    });
                    throw new FtpException("connection to the server failed: Connection reset", 0, true);
                }
                return real.list(dir, each);
            };
            Path out = tmp.resolve("out");
            TreeResult r = h.run(cutOnce).download("/t/", out, TransferOptions.none());
            assertTrue(r.complete(), r.toString());
            assertEquals(6, r.files(), r.toString());
            assertEquals(2, cuts.get(), "listed again after the cut");
            assertEquals(PublishedTree.hashes(h.ftp.file("t")), PublishedTree.hashes(out));
        }
    }
}
