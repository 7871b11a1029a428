package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a node frozen (SIGSTOP) past its lease wrote into a download's part file when it woke, before its
 * ticker gave its claims up; another node had published that file meanwhile, and a published download is the part
 * file's inode. A writer now asks {@link Leases#fresh} first: false from the moment the ticker would give up.
 */
class LeasesFreshTest {
    @TempDir
    Path tmp;

    @Test
    void aLeaseNotRenewedForTwoThirdsOfItsLengthIsNoLongerFresh() throws Exception {
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"))) {
            Leases leases = ledger.leases();
            leases.configure("node-a", 3);
            assertTrue(leases.renew());
            assertTrue(leases.fresh(), "just renewed");
            Thread.sleep(2_200); // no ticker here: nothing renews, as in a frozen process
            assertFalse(leases.fresh(), "2.2 s without a renewal of a 3 s lease");
            assertTrue(leases.renew());
            assertTrue(leases.fresh(), "renewed again");
        }
    }
}
