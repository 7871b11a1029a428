package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.plan.Direction;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
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
 * A tree's small file whose transfer another node runs (its lease is live: it took the transfer over) is not sent by
 * this node's batch. The batch's commit would be refused for it anyway, but only after its bytes came down a second
 * time into the same local file the other node is writing. It runs alone after the commit, where the lease fences it
 * off before a byte moves; the rest of the tree comes down. "node-2" is a second ledger handle under its own node id.
 * Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class TreeHeldElsewhereTest {
    private static final int KIB = 1024;

    @TempDir
    Path tmp;
    PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_tree_held");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void aFileAnotherNodeHoldsIsNotSentByThisNodesBatch() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             JdbcLedger node1 = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger node2 = JdbcLedger.open(schema.url(), "postgres", "")) {
            node1.leases().configure("node-1", 60);
            node2.leases().configure("node-2", 60);
            Path remote = ftp.file("tree");
            PseudoRandomContent.write(remote.resolve("a.bin"), 10L * KIB, 1);
            PseudoRandomContent.write(remote.resolve("b.bin"), 20L * KIB + 3, 2);
            PseudoRandomContent.write(remote.resolve("c.bin"), 30L * KIB + 7, 3);
            Path out = tmp.resolve("out");

            // node-2 runs b.bin's download, under a lease that outlasts the test.
            TransferRequest b = new TransferRequest(Direction.DOWNLOAD, "test", "/tree/b.bin",
                    out.resolve("b.bin").toAbsolutePath().normalize().toString(), TransferOptions.none());
            long size = Files.size(remote.resolve("b.bin"));
            node2.accept(TransferRecord.accepted(b.id(), Direction.DOWNLOAD, "test", b.remotePath(), b.localPath(),
                    Requests.toJson(b)));
            node2.start(b.id(), size, Files.getLastModifiedTime(remote.resolve("b.bin")).toMillis(),
                    List.of(new SegmentRecord(0, 0, size, 0, false)));

            ServerProfile profile = ftp.profile(6).build();
            TreeResult r;
            try (TransferEngine engine = new TransferEngine(node1, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(200))) {
                r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out, TransferOptions.none());
            }

            assertEquals(2, ftp.commandCount("RETR"), "node-1 downloaded b.bin, which node-2 runs: " + r);
            assertFalse(Files.exists(out.resolve("b.bin")), "node-1 published b.bin, node-2's transfer");
            assertEquals("ACTIVE node-2", schema.statusAndOwner(b.id()), "node-1 took node-2's row over");
            assertEquals(1, r.failed(), r.problems().toString());
            assertTrue(r.problems().get(0).startsWith("failed b.bin: "), r.problems().toString());
            for (String name : List.of("a.bin", "c.bin")) {
                assertEquals(Hashes.sha256(remote.resolve(name)), Hashes.sha256(out.resolve(name)), name);
            }
        }
    }
}
