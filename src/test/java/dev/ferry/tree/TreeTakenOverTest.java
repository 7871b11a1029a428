package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder's run whose row another node took over (this node paused past its lease; the other node's takeover is
 * played here by writing its claim into the row) starts none of its files any more and records no end: the other
 * node runs the tree. It used to go on starting every file, each claimed afresh, so a file the other node had
 * published was recorded FAILED ("already exists") over that node's work, and it announced its own end of the tree.
 * Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class TreeTakenOverTest {
    private static final int KIB = 1024;
    private static final int FILES = 16;

    @TempDir
    Path tmp;
    PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_tree_taken");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void aRunWhoseTreeAnotherNodeTookStartsNoMoreFilesAndRecordsNoEnd() throws Exception {
        // 100 KiB/s per connection: each file takes about 1.5 s, the tree several seconds on its lanes.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(100L * KIB).start();
             JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "")) {
            ledger.leases().configure("node-1", 60);
            for (int i = 0; i < FILES; i++) {
                PseudoRandomContent.write(ftp.file("tree/f" + i + ".bin"), 150L * KIB, i);
            }
            try (TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(ftp.profile(4).build()),
                    TransferOptions.none(), Duration.ofMillis(200))) {
                CompletableFuture<TreeResult> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", tmp.resolve("out"),
                                TransferOptions.none());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Await.until(Duration.ofSeconds(30), () -> ftp.commandCount("RETR") >= 2,
                        () -> "the tree's files did not start");
                try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                    assertEquals(1, st.executeUpdate("UPDATE ferry_tree SET owner = 'node-2', epoch = epoch + 1,"
                            + " lease_until = CURRENT_TIMESTAMP + INTERVAL '60 seconds'"));
                }
                ExecutionException ended = assertThrows(ExecutionException.class,
                        () -> run.get(60, TimeUnit.SECONDS), "the run ended as if the tree were still its own");
                assertInstanceOf(LostLeaseException.class, ended.getCause(), ended.getCause().toString());
            }
            assertTrue(ftp.commandCount("RETR") < FILES, "the run went on starting files of a tree another node"
                    + " runs: " + ftp.commandCount("RETR") + " of " + FILES);
            try (Connection c = schema.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT owner, status FROM ferry_tree")) {
                assertTrue(rs.next());
                assertEquals("node-2 RUNNING", rs.getString(1) + " " + rs.getString(2),
                        "node-1 recorded an end of node-2's run");
            }
            // The ended run no longer holds the tree: a row of node-1's now reads as a leftover, not as a run here.
            try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE ferry_tree SET owner = 'node-1'");
            }
            assertEquals(java.util.Set.of(), ledger.treeListings().runningNow(),
                    "node-1 still holds the claim of the run that lost its tree");
        }
    }
}
