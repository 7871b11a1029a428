package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, the batch step: a small drop whose transfer another node holds (its lease runs; it claimed the row when
 * this node's lease ran out) is neither sent by this node's batch nor failed. It waits until the ledger says how the
 * other node ended it, as the other inbox steps do (camel.LostLeaseWait), while the rest of its batch goes on.
 * "node-2" is a second ledger handle in this JVM under its own node id: what another node's claim leaves in the table.
 * Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class BatchLostLeaseTest {
    private static final int KIB = 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_batch_lease");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }


    @Test
    void aSmallDropAnotherNodeHoldsIsNotSentHereNorFailedAndItsBatchGoesOn() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("node-1"), ftp);
            h.properties.put("ferry.ledger.url", schema.url());
            h.properties.put("ferry.ledger.user", "postgres");
            h.properties.put("ferry.node-id", "node-1");
            h.properties.put("ferry.cluster.lease-seconds", "3");
            h.properties.put("ferry.cluster.shared-storage", "true");
            // One lane: both drops in one batch.
            h.properties.put("ferry.inbox.parallel-transfers", "1");
            Path inbox = Files.createDirectories(h.uploadInbox());
            Path staging = Files.createDirectories(tmp.resolve("staging"));
            Path x = PseudoRandomContent.write(staging.resolve("x.bin"), 200L * KIB + 11, 15);
            Path y = PseudoRandomContent.write(staging.resolve("y.bin"), 100L * KIB + 3, 16);
            String xHash = Hashes.sha256(x);
            String yHash = Hashes.sha256(y);
            long xSize = Files.size(x);
            long xMtime = Files.getLastModifiedTime(x).toMillis();

            TransferRequest xRequest = new TransferRequest(Direction.UPLOAD, "fixture", "/incoming/x.bin",
                    inbox.resolve("x.bin").toAbsolutePath().normalize().toString(), TransferOptions.none());
            String id = xRequest.id();
            try (JdbcLedger node2 = JdbcLedger.open(schema.url(), "postgres", "")) {
                // node-2 runs x.bin from the shared inbox under a lease that outlasts this test unless it ends it.
                node2.leases().configure("node-2", 60);
                node2.leases().sharedStorage(true);
                node2.accept(TransferRecord.accepted(id, Direction.UPLOAD, "fixture", xRequest.remotePath(),
                        xRequest.localPath(), Requests.toJson(xRequest)));
                node2.start(id, xSize, xMtime, List.of(new SegmentRecord(0, 0, xSize, 0, false)));

                try (FerryService node1 = h.start()) {
                    ServiceHarness.dropInto(inbox, x);
                    ServiceHarness.dropInto(inbox, y);
                    Path done = inbox.resolve(".done");
                    Path failed = inbox.resolve(".failed");
                    Await.until(WAIT, () -> Files.exists(done.resolve("y.bin")),
                            () -> "y.bin never got through: " + ServiceHarness.list(inbox));
                    assertEquals(yHash, Hashes.sha256(ftp.file("incoming/y.bin")), "y.bin on the server");

                    // node-1 tried x.bin after y.bin's batch, on the fenced path, and was refused: x.bin is node-2's.
                    Await.until(WAIT, () -> node1.ledger().leases().fencedOff() > 0 || Files.exists(failed)
                                    || Files.exists(done.resolve("x.bin")),
                            () -> "node-1 never tried x.bin: " + ServiceHarness.list(inbox));
                    assertFalse(Files.exists(failed), "a drop another node holds was failed here: "
                            + ServiceHarness.list(inbox));
                    assertFalse(Files.exists(done.resolve("x.bin")), "x.bin left the inbox while node-2 runs it");
                    assertFalse(Files.exists(ftp.file("incoming/x.bin")), "node-1 published x.bin, node-2's transfer");
                    assertEquals("ACTIVE node-2", schema.statusAndOwner(id), "node-1 took node-2's row over");

                    // node-2 publishes it: node-1's inbox then moves x.bin to .done, without sending it.
                    Files.copy(inbox.resolve("x.bin"), ftp.file("incoming/x.bin"));
                    node2.published(id, xSize, 0);
                    Await.until(WAIT, () -> Files.exists(done.resolve("x.bin")),
                            () -> "x.bin never moved to .done after node-2 published it: "
                                    + ServiceHarness.list(inbox) + " " + schema.statusAndOwner(id));
                    assertFalse(Files.exists(failed), "a drop failed: " + ServiceHarness.list(inbox));
                    assertEquals(xHash, Hashes.sha256(ftp.file("incoming/x.bin")), "x.bin on the server");
                    assertEquals(1, ftp.commandCount("RNTO"), "node-1 renamed into place more than y.bin");
                    assertEquals("PUBLISHED node-2", schema.statusAndOwner(id));
                }
            }
        }
    }
}
