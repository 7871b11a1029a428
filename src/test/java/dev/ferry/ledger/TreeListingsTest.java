package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.Direction;
import dev.ferry.testing.PostgresSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree's listing in the ledger, on H2 and PostgreSQL: written and read back a page at a time in listing order,
 * resumed only while the tree has not ended and its walk had, gone when the tree ends; and a ledger made before the
 * tree tables gets them when it opens.
 */
class TreeListingsTest {
    private static final String ID = "t-tree";

    @TempDir
    Path tmp;

    @Test
    void aListingRoundTripsAndResumesOnH2() {
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"))) {
            roundTrip(ledger.treeListings());
        }
    }

    @Test
    void aListingRoundTripsAndResumesOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_tree")) {
            try (JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "")) {
                roundTrip(ledger.treeListings());
            }
        }
    }

    @Test
    void aLedgerMadeBeforeTheTreeTablesGetsThemOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_tree_old")) {
            try (JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "")) {
                ledger.kind();
            }
            try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE " + schema.name() + ".ferry_tree_entry");
                st.execute("DROP TABLE " + schema.name() + ".ferry_tree");
            }
            try (JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "")) {
                TreeListings trees = ledger.treeListings();
                assertFalse(trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false).resume());
                assertEquals(TreeListings.LISTING, trees.get(ID).status());
            }
        }
    }

    @Test
    void aSecondNodeCannotClaimARunningTreeAndAClaimAfterItsLeaseFencesTheFirstOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_tree_claim");
             JdbcLedger a = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger b = JdbcLedger.open(schema.url(), "postgres", "")) {
            a.leases().configure("node-a", 30);
            b.leases().configure("node-b", 30);
            TreeListings ta = a.treeListings();
            TreeListings tb = b.treeListings();
            Claim first = ta.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false).claim();
            ta.append(first, List.of(new TreeListings.Entry(1, "a", 1, 1, true, null)));

            TreeListings.TreeRunningException refused = assertThrows(TreeListings.TreeRunningException.class,
                    () -> tb.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false));
            assertTrue(refused.getMessage().contains(ID) && refused.getMessage().contains("node-a"),
                    refused.getMessage());
            assertEquals(1, tb.page(ID, 0, 10).size(), "the refused run touched the running one's listing");
            assertEquals(TreeListings.LISTING, tb.get(ID).status(), "node-a runs it under a live lease");

            // node-a dies: its lease runs out, the tree shows as interrupted, and node-b may take it.
            try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE " + schema.name() + ".ferry_tree SET lease_until = CURRENT_TIMESTAMP"
                        + " - INTERVAL '1' SECOND");
            }
            assertEquals(TreeListings.INTERRUPTED, tb.get(ID).status());
            assertEquals(TreeListings.INTERRUPTED, tb.recent(5).get(0).status());
            Claim second = tb.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false).claim();
            assertEquals(TreeListings.LISTING, ta.get(ID).status(), "node-b runs it now");

            // node-a's late writes change nothing.
            assertThrows(LostLeaseException.class,
                    () -> ta.append(first, List.of(new TreeListings.Entry(1, "stale", 1, 1, true, null))));
            assertThrows(LostLeaseException.class, () -> ta.listed(first, 1));
            assertThrows(LostLeaseException.class,
                    () -> ta.ended(first, TreeListings.DONE, new TreeListings.Counts(1, 1, 0, 0, 0, 1)));
            assertEquals(0, tb.page(ID, 0, 10).size(), "node-b's run starts from an empty listing");
            tb.append(second, List.of(new TreeListings.Entry(1, "b", 1, 1, true, null)));
            tb.listed(second, 1);
            assertEquals("b", tb.page(ID, 0, 10).get(0).relative());
            assertEquals(TreeListings.RUNNING, ta.get(ID).status());
        }
    }

    @Test
    void aTreeLeftRunningByACrashShowsInterruptedAndResumesOnH2() {
        Path dir = tmp.resolve("crashed");
        try (JdbcLedger ledger = JdbcLedger.h2(dir)) {
            TreeListings trees = ledger.treeListings();
            Claim run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false).claim();
            trees.append(run, List.of(new TreeListings.Entry(1, "a", 1, 1, true, null)));
            trees.listed(run, 1);
            assertEquals(TreeListings.RUNNING, trees.get(ID).status(), "its run holds it");
            // The process dies here: nothing ends the tree.
        }
        try (JdbcLedger ledger = JdbcLedger.h2(dir)) {
            TreeListings trees = ledger.treeListings();
            assertEquals(TreeListings.INTERRUPTED, trees.get(ID).status(),
                    "the row names this node, whose run of it died with the old process");
            assertEquals(TreeListings.INTERRUPTED, trees.recent(5).get(0).status());
            TreeListings.Run again = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false);
            assertTrue(again.resume(), "the interrupted tree resumes from its listing");
            assertEquals(TreeListings.RUNNING, trees.get(ID).status());
            trees.ended(again.claim(), TreeListings.DONE, new TreeListings.Counts(1, 1, 0, 0, 0, 1));
            assertEquals(TreeListings.DONE, trees.get(ID).status());
        }
    }

    @Test
    void anOrderGivenUpAfterARestartGetsItsReasonUnlessARunHoldsTheTree() {
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("given-up"))) {
            TreeListings trees = ledger.treeListings();
            Claim run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false).claim();
            assertFalse(trees.failedBeforeRun(ID, "login refused"), "a run holds it under a live lease");
            // The run stopped (the service did): the order stays, its next run fails before its claim for good.
            trees.ended(run, TreeListings.FAILED, new TreeListings.Counts(0, 0, 0, 0, 0, 0), "stopped");
            assertTrue(trees.failedBeforeRun(ID, "login refused"));
            assertEquals("login refused", trees.get(ID).reason());
        }
    }

    private static void roundTrip(TreeListings trees) {
        assertNull(trees.get(ID));
        TreeListings.Run run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false);
        assertFalse(run.resume(), "nothing to resume from");
        Claim claim = run.claim();
        int n = 1234;
        List<TreeListings.Entry> page = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            page.add(new TreeListings.Entry(i, "d" + i % 7 + "/f" + i, i, 1000L * i, i % 2 == 0,
                    i % 100 == 0 ? "refused " + i : null));
            if (page.size() == 500 || i == n) {
                trees.append(claim, page);
                page.clear();
            }
        }
        // Not resumed before its walk ended: the listing may be short.
        run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false);
        assertFalse(run.resume());
        claim = run.claim();
        assertEquals(0, trees.page(ID, 0, 10).size(), "a new walk starts from an empty listing");
        for (int i = 1; i <= n; i += 100) {
            List<TreeListings.Entry> p = new ArrayList<>();
            for (int j = i; j < i + 100 && j <= n; j++) {
                p.add(new TreeListings.Entry(j, "d" + j % 7 + "/f" + j, j, 1000L * j, j % 2 == 0,
                        j % 100 == 0 ? "refused " + j : null));
            }
            trees.append(claim, p);
        }
        trees.listed(claim, n);
        run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false);
        assertTrue(run.resume(), "a walked, unended tree resumes");
        claim = run.claim();

        int after = 0;
        int seen = 0;
        while (true) {
            List<TreeListings.Entry> p = trees.page(ID, after, 300);
            if (p.isEmpty()) {
                break;
            }
            assertTrue(p.size() <= 300);
            for (TreeListings.Entry e : p) {
                seen++;
                assertEquals(seen, e.seq());
                assertEquals("d" + seen % 7 + "/f" + seen, e.relative());
                assertEquals(seen, e.size());
                assertEquals(1000L * seen, e.mtime());
                assertEquals(seen % 2 == 0, e.exactTime());
                assertEquals(seen % 100 == 0 ? "refused " + seen : null, e.refusal());
            }
            after = p.get(p.size() - 1).seq();
        }
        assertEquals(n, seen);

        // Stopped (Ctrl-C, an error) after its walk: the listing stays and the next run resumes from it.
        trees.ended(claim, TreeListings.FAILED, new TreeListings.Counts(n, 3, 0, 0, 12, 99));
        assertEquals(TreeListings.FAILED, trees.get(ID).status());
        assertEquals(300, trees.page(ID, 0, 300).size());
        run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false);
        assertTrue(run.resume(), "a stopped tree resumes");
        claim = run.claim();

        trees.progress(claim, new TreeListings.Counts(n, 5, 6, 1, 12, 999));
        assertEquals(5, trees.get(ID).transferred());
        trees.ended(claim, TreeListings.INCOMPLETE, new TreeListings.Counts(n, 1200, 10, 12, 12, 4321));
        TreeListings.TreeRecord r = trees.get(ID);
        assertEquals(TreeListings.INCOMPLETE, r.status());
        assertEquals(List.of(n, 1200, 10, 12, 12, 4321L, n), List.of(r.files(), r.transferred(), r.skipped(),
                r.failed(), r.refused(), r.bytesMoved(), r.entries()));
        assertEquals(0, trees.page(ID, 0, 10).size(), "an ended tree's listing is gone");
        assertEquals(ID, trees.recent(5).get(0).id());
        run = trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", false);
        assertFalse(run.resume(), "an ended tree lists again");
        claim = run.claim();

        // relist: a walked, unended tree starts over when asked.
        trees.append(claim, List.of(new TreeListings.Entry(1, "a", 1, 1, true, null)));
        trees.listed(claim, 1);
        assertFalse(trees.begin(ID, Direction.DOWNLOAD, "s", "/r", "/l", true).resume());
        assertEquals(0, trees.page(ID, 0, 10).size());
    }
}
