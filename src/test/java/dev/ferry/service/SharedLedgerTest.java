package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferStatus;
import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service nodes on one PostgreSQL ledger (a schema of its own per test): the first in a JVM of its own, the second
 * in this one. Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class SharedLedgerTest {
    private static final int MIB = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;


    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_cluster");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    private ServiceHarness node(String name, FtpServerFixture ftp) {
        ServiceHarness h = new ServiceHarness(tmp.resolve(name), ftp);
        h.properties.put("ferry.ledger.url", schema.url());
        h.properties.put("ferry.ledger.user", "postgres");
        h.properties.put("ferry.node-id", name);
        h.properties.put("ferry.cluster.lease-seconds", "3");
        return h.writeConfig();
    }

    /** The one transfer's status and how many of its bytes the ledger holds as safe. */
    private record Row(String status, long done) {
    }

    private Row row() {
        try (Connection c = schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT t.status, COALESCE(SUM(s.seg_offset - s.seg_start), 0)"
                     + " FROM ferry_transfer t LEFT JOIN ferry_segment s ON s.transfer_id = t.id GROUP BY t.status")) {
            return rs.next() ? new Row(rs.getString(1), rs.getLong(2)) : new Row("NONE", 0);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Row awaitUnderWay(long size) throws Exception {
        Row[] seen = {null};
        Await.until(WAIT, () -> {
            seen[0] = row();
            return "ACTIVE".equals(seen[0].status()) && seen[0].done() > size / 10;
        }, () -> "the first node's download did not get under way: " + seen[0]);
        return seen[0];
    }

    /**
     * The regression of issue 15: a second node's start-up used to take every unfinished row of the shared ledger, run
     * the first node's download as well, fail on the part file the first had published, and record the delivered file
     * as FAILED.
     */
    @Test
    void aSecondNodesStartLeavesTheFirstsTransferAloneAndADeliveredFileIsNeverRecordedFailed() throws Exception {
        long size = 24L * MIB;
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(2 * MIB).start()) {
            String sha = Hashes.sha256(ftp.write("pub/big.bin", size, 15L));
            ServiceHarness first = node("node-1", ftp);
            ServiceHarness second = node("node-2", ftp);
            try (ForkedJvm one = first.fork(ftp, "node-1")) {
                one.awaitLine(l -> l.contains("Ferry is running."), WAIT);
                ServiceHarness.writeJson(first.requestInbox(), "big.json",
                        "{\"server\":\"fixture\",\"remotePath\":\"/pub/big.bin\",\"localPath\":\"big.bin\"}");
                awaitUnderWay(size);
                List<String> statuses = new ArrayList<>();
                try (FerryService two = second.start()) {
                    assertEquals(0, two.recovered(), "node-2 took node-1's running transfer at its start");
                    Path published = first.downloads().resolve("big.bin");
                    Await.until(WAIT, () -> {
                        statuses.add(row().status());
                        return Files.exists(first.requestInbox().resolve(".done/big.json"));
                    }, () -> "not published: " + statuses + "\n" + String.join("\n", one.output()));
                    assertEquals(sha, Hashes.sha256(published));
                    // Past node-2's next claim rounds (every second): the delivered file stays PUBLISHED.
                    Thread.sleep(2_500);
                    assertEquals(TransferStatus.PUBLISHED.name(), row().status());
                    assertEquals(0, two.ledger().leases().fencedOff());
                    assertEquals(List.of(), statuses.stream().filter("FAILED"::equals).toList());
                    try (var files = Files.list(second.downloads())) {
                        assertEquals(List.of(), files.toList(), "node-2 wrote files of its own");
                    }
                }
            }
        }
    }

    /** A node killed with SIGKILL mid-download: another takes it over once its lease has run out, and publishes it. */
    @Test
    void aKilledNodesDownloadIsTakenOverAfterItsLeaseAndPublishedIntact() throws Exception {
        long size = 24L * MIB;
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(2 * MIB).start()) {
            String sha = Hashes.sha256(ftp.write("pub/big.bin", size, 16L));
            ServiceHarness first = node("node-1", ftp);
            ServiceHarness second = node("node-2", ftp);
            try (FerryService two = second.start()) {
                Row atKill;
                try (ForkedJvm one = first.fork(ftp, "node-1")) {
                    one.awaitLine(l -> l.contains("Ferry is running."), WAIT);
                    ServiceHarness.writeJson(first.requestInbox(), "big.json",
                            "{\"server\":\"fixture\",\"remotePath\":\"/pub/big.bin\",\"localPath\":\"big.bin\"}");
                    atKill = awaitUnderWay(size);
                    assertEquals(137, one.kill9());
                }
                assertNotEquals(size, atKill.done());
                Path published = first.downloads().resolve("big.bin");
                Await.until(WAIT, () -> Files.exists(published) && "PUBLISHED".equals(row().status()),
                        () -> "node-2 did not take the download over: " + row());
                assertEquals(sha, Hashes.sha256(published));
                assertEquals(TransferStatus.PUBLISHED, two.ledger().find(
                        two.ledger().recent(1).get(0).id()).orElseThrow().status());
            }
        }
    }

    /**
     * A hostile review: a second process with the first's ferry.node-id started without a word and took the first's
     * running download as its own (a restarted node takes its rows back at once); both wrote the same file. It is
     * refused while the first beats; once the first is killed, the same node starts again.
     */
    @Test
    void aSecondLiveProcessWithTheSameNodeIdIsRefusedAndARestartAfterAKillIsNot() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness first = node("node-1", ftp);
            ServiceHarness twin = new ServiceHarness(tmp.resolve("twin"), ftp);
            twin.properties.put("ferry.ledger.url", schema.url());
            twin.properties.put("ferry.ledger.user", "postgres");
            twin.properties.put("ferry.node-id", "node-1"); // a copied configuration, its folders its own
            twin.properties.put("ferry.cluster.lease-seconds", "3");
            twin.writeConfig();
            try (ForkedJvm one = first.fork(ftp, "node-1")) {
                one.awaitLine(l -> l.contains("Ferry is running."), WAIT);
                Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> twin.start().close());
                StringBuilder all = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) {
                    all.append(t.getMessage()).append(" / ");
                }
                assertTrue(all.toString().contains("another running Ferry is node node-1"), all.toString());
                one.kill9();
            }
            // Killed: its last heartbeat is fresh, but no new one comes, so the node starts again here.
            try (FerryService again = twin.start()) {
                assertTrue(again != null);
            }
        }
    }
    /**
     * The start's check cannot see a twin that starts in the same second, nor a process started as this node while
     * this one was frozen past its lease. Once another process's heartbeat mark is on the node's row (as such a twin's
     * first heartbeat writes it), this one gives up its running download, records nothing for it, and stops with a
     * line that says why; before, both kept running as one node.
     */
    @Test
    void aNodeWhoseHeartbeatAnotherProcessTookOverStopsAndLeavesItsTransferToIt() throws Exception {
        long size = 24L * MIB;
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(2 * MIB).start()) {
            ftp.write("pub/twin.bin", size, 16L);
            ServiceHarness first = node("node-1", ftp);
            try (ForkedJvm one = first.fork(ftp, "node-1")) {
                one.awaitLine(l -> l.contains("Ferry is running."), WAIT);
                ServiceHarness.writeJson(first.requestInbox(), "twin.json",
                        "{\"server\":\"fixture\",\"remotePath\":\"/pub/twin.bin\",\"localPath\":\"twin.bin\"}");
                awaitUnderWay(size);
                try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                    assertEquals(1, st.executeUpdate("UPDATE ferry_node SET process = 'a-twin', host = 'twin-host'"
                            + " WHERE node_id = 'node-1'"));
                }
                assertEquals(1, one.awaitExit(WAIT), String.join("\n", one.output()));
                String log = String.join("\n", one.output());
                assertTrue(log.contains("another process (on host twin-host) now runs as this node"), log);
                assertTrue(log.contains("ferry: the service stopped: another process runs as node node-1"), log);
                // Given up, not ended: the twin (or this node's next start) resumes it.
                assertEquals("ACTIVE", row().status(), log);
                assertTrue(!Files.exists(first.downloads().resolve("twin.bin")), "published by a displaced node");
            }
        }
    }
}
