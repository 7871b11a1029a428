package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PublishedTree;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.time.Duration;
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
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"))) {
            ServerProfile profile = ftp.profile(4).build();
            TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(200));
            try {
                for (int i = 0; i < 5; i++) {
                    ftp.write("t/sub/f" + i + ".bin", 1000 + i, i);
                }
                ftp.write("t/top.bin", 500, 9);
                PooledListing real = new PooledListing(engine.pool(), profile);
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
                TreeResult r = new TreeRun(engine, profile.name(), TreeLimits.DEFAULTS, cutOnce)
                        .download("/t/", out, TransferOptions.none());
                assertTrue(r.complete(), r.toString());
                assertEquals(6, r.files(), r.toString());
                assertEquals(2, cuts.get(), "listed again after the cut");
                assertEquals(PublishedTree.hashes(ftp.file("t")), PublishedTree.hashes(out));
            } finally {
                engine.close();
            }
        }
    }
}
