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
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree's file whose transfer another node holds a live lease on ("node-2", a second ledger handle under its own
 * node id). This node's batch does not send it: its commit would be refused for it, but only after its bytes came
 * down a second time into the local file the other node is writing. Nor is it counted failed at once: a node that
 * died with it under way (its tree taken over here before its file leases ran out) left the tree INCOMPLETE, though
 * the file was finished soon after. The tree waits for it: done when that node publishes it, sent here once that
 * node's lease has run out. Skipped without PostgreSQL at 127.0.0.1:5432, a failure with
 * {@code FERRY_REQUIRE_POSTGRES=1}.
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

    /** node-2 died with b.bin under way: its lease (3 s, never renewed) runs out, and this node sends b.bin. */
    @Test
    void aFileOfANodeThatDiedIsSentHereOnceItsLeaseRanOut() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             JdbcLedger node1 = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger node2 = JdbcLedger.open(schema.url(), "postgres", "")) {
            node1.leases().configure("node-1", 60);
            node2.leases().configure("node-2", 3);
            Path remote = files(ftp);
            Path out = tmp.resolve("out");
            TransferRequest b = heldByNode2(node2, remote, out);
            Instant leaseEnd = leaseEnd(b.id());

            AtomicReference<Instant> bStarted = new AtomicReference<>();
            TreeResult r;
            try (TransferEngine engine = new TransferEngine(node1, new ServerProfiles().add(ftp.profile(6).build()),
                    TransferOptions.none(), Duration.ofMillis(200))) {
                engine.addListener(new TransferListener() {
                    @Override public void transferStart(TransferView t) {
                        if (t.id().equals(b.id())) {
                            bStarted.compareAndSet(null, Instant.now());
                        }
                    }
                });
                r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out, TransferOptions.none());
            }

            assertEquals(0, r.failed(), "the tree did not wait for node-2's file: " + r.problems());
            assertEquals(3, ftp.commandCount("RETR"), r.toString());
            assertTrue(bStarted.get() != null && !bStarted.get().isBefore(leaseEnd),
                    "b.bin started at " + bStarted.get() + ", node-2's lease ran until " + leaseEnd);
            assertEquals("PUBLISHED node-1", schema.statusAndOwner(b.id()));
            for (String name : List.of("a.bin", "b.bin", "c.bin")) {
                assertEquals(Hashes.sha256(remote.resolve(name)), Hashes.sha256(out.resolve(name)), name);
            }
        }
    }

    /**
     * node-2 is alive: it has put b.bin in place and not yet recorded the publish when this node comes to b.bin, and
     * records it while the tree waits: done, not sent again here, and node-2's row stays PUBLISHED. Run at once, b.bin
     * met node-2's file in its plan, before any write the lease fences, and failed "already exists" (seen in CI).
     */
    @Test
    void aFileAnotherNodePublishesIsNotSentByThisNode() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             JdbcLedger node1 = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger node2 = JdbcLedger.open(schema.url(), "postgres", "")) {
            node1.leases().configure("node-1", 60);
            node2.leases().configure("node-2", 60);
            Path remote = files(ftp);
            Path out = tmp.resolve("out");
            TransferRequest b = heldByNode2(node2, remote, out);
            Path b2 = out.resolve("b.bin");

            try (TransferEngine engine = new TransferEngine(node1, new ServerProfiles().add(ftp.profile(6).build()),
                    TransferOptions.none(), Duration.ofMillis(200))) {
                engine.addListener(new TransferListener() {
                    @Override public void published(TransferView t, String name) {
                        if (t.remotePath().endsWith("/a.bin")) {
                            // After this node listed the tree, during its batch: node-2 puts b.bin in place.
                            try {
                                Files.copy(remote.resolve("b.bin"), b2, StandardCopyOption.COPY_ATTRIBUTES);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }
                });
                CompletableFuture<TreeResult> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                                TransferOptions.none());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Await.until(Duration.ofSeconds(30), () -> Files.exists(out.resolve("a.bin"))
                        && Files.exists(out.resolve("c.bin")), () -> "a.bin and c.bin did not come down");
                assertFalse(run.isDone(), "the tree ended without waiting for b.bin: "
                        + (run.isDone() ? run.join().problems() : ""));
                // node-2 records its publish of b.bin.
                node2.published(b.id(), Files.size(b2), 0);
                TreeResult r = run.get(60, TimeUnit.SECONDS);
                assertEquals(0, r.failed(), r.problems().toString());
            }

            assertEquals(2, ftp.commandCount("RETR"), "node-1 downloaded b.bin, which node-2 published");
            assertEquals("PUBLISHED node-2", schema.statusAndOwner(b.id()), "node-1 took node-2's row over");
            for (String name : List.of("a.bin", "b.bin", "c.bin")) {
                assertEquals(Hashes.sha256(remote.resolve(name)), Hashes.sha256(out.resolve(name)), name);
            }
        }
    }

    private static Path files(FtpServerFixture ftp) throws java.io.IOException {
        Path remote = ftp.file("tree");
        PseudoRandomContent.write(remote.resolve("a.bin"), 10L * KIB, 1);
        PseudoRandomContent.write(remote.resolve("b.bin"), 20L * KIB + 3, 2);
        PseudoRandomContent.write(remote.resolve("c.bin"), 30L * KIB + 7, 3);
        return remote;
    }

    /** node-2 runs b.bin's download: accepted and planned under its lease. */
    private static TransferRequest heldByNode2(JdbcLedger node2, Path remote, Path out) throws java.io.IOException {
        TransferRequest b = new TransferRequest(Direction.DOWNLOAD, "test", "/tree/b.bin",
                out.resolve("b.bin").toAbsolutePath().normalize().toString(), TransferOptions.none());
        long size = Files.size(remote.resolve("b.bin"));
        node2.accept(TransferRecord.accepted(b.id(), Direction.DOWNLOAD, "test", b.remotePath(), b.localPath(),
                Requests.toJson(b)));
        node2.start(b.id(), size, Files.getLastModifiedTime(remote.resolve("b.bin")).toMillis(),
                List.of(new SegmentRecord(0, 0, size, 0, false)));
        return b;
    }

    private Instant leaseEnd(String id) throws SQLException {
        try (Connection c = schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT lease_until FROM ferry_transfer WHERE id = '" + id + "'")) {
            assertTrue(rs.next());
            return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }
}
