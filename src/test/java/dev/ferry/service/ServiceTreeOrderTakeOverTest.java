package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.Direction;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.PublishedTree;
import dev.ferry.tree.TreeRun;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder accepted from the queue or the API by a node that then stopped for good (its heartbeat older than a lease)
 * is run by another node on the shared PostgreSQL ledger: its claim loop takes the order over and runs the tree.
 */
class ServiceTreeOrderTakeOverTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderOrderOfANodeThatStoppedForGoodIsRunByAnotherNode() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_order_svc");
             FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            for (int i = 0; i < 5; i++) {
                ftp.write("orphan/d" + i % 2 + "/f" + i + ".bin", 20_000 + i, 70 + i);
            }
            ServiceHarness harness = new ServiceHarness(tmp.resolve("b"), ftp);
            harness.properties.put("ferry.ledger.url", schema.url());
            harness.properties.put("ferry.ledger.user", "postgres");
            harness.properties.put("ferry.node-id", "node-b");
            harness.properties.put("ferry.cluster.lease-seconds", "3");
            Path out = harness.downloads().resolve("orphan");
            String tree = TreeRun.idOf(Direction.DOWNLOAD, "fixture", "/orphan", out.toAbsolutePath().normalize());
            // node-a accepted the folder (its order is all there is: the message was acknowledged), then died.
            try (JdbcLedger a = JdbcLedger.open(schema.url(), "postgres", "")) {
                a.leases().configure("node-a", 3);
                assertTrue(a.leases().renew());
                a.treeOrders().put(tree,
                        "{\"server\":\"fixture\",\"remotePath\":\"/orphan/\",\"localPath\":\"orphan\"}",
                        "node-a");
            }
            try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE ferry_node SET heartbeat = CURRENT_TIMESTAMP - INTERVAL '1' HOUR"
                        + " WHERE node_id = 'node-a'");
            }
            try (FerryService b = harness.start()) {
                Await.until(Duration.ofSeconds(60), () -> {
                    TreeListings.TreeRecord r = b.ledger().treeListings().get(tree);
                    return r != null && TreeListings.DONE.equals(r.status());
                }, () -> "tree: " + b.ledger().treeListings().get(tree) + ", orders of node-a: "
                        + b.ledger().treeOrders().pending("node-a") + ", of node-b: "
                        + b.ledger().treeOrders().pending("node-b"));
                assertEquals(PublishedTree.hashes(ftp.file("orphan")), PublishedTree.hashes(out));
                // The order is dropped after the run returns, a moment after the listing says DONE.
                Await.until(Duration.ofSeconds(10), () -> b.ledger().treeOrders().treeIds().isEmpty(),
                        () -> "the order is done once its tree ran: " + b.ledger().treeOrders().treeIds());
            }
        }
    }
}
