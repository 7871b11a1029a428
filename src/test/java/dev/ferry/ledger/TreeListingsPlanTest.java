package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page of a tree's listing is read in the key's order on H2, not sorted: sorted, every page read all entries after
 * its start, so reading a listing back cost the square of its length (a page per 500 of a 100,000-file tree).
 */
class TreeListingsPlanTest {
    @TempDir
    Path tmp;

    @Test
    void aPageOfTheListingIsReadInTheKeysOrderWithoutASort() throws Exception {
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
             Connection c = ledger.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("EXPLAIN " + TreeListings.PAGE)) {
            ps.setString(1, "t-tree");
            ps.setInt(2, 500);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                String plan = rs.getString(1);
                assertTrue(plan.contains("index sorted"), "H2 sorts each page of the listing:\n" + plan);
            }
        }
    }
}
