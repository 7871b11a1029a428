package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PartitionRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's partition test: node-1 (a JVM of its own) reaches the shared PostgreSQL ledger through a relay that the
 * test cuts mid-download, for longer than a lease; node-2 (this JVM) reaches it directly. Skipped without PostgreSQL
 * at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class PartitionTest {
    private static final int MIB = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern STATUS_PAGE = Pattern.compile("Status page:\\s+(http://\\S+)");

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_partition");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    private ServiceHarness node(String name, FtpServerFixture ftp, String ledgerUrl) {
        ServiceHarness h = new ServiceHarness(tmp.resolve(name), ftp);
        h.properties.put("ferry.ledger.url", ledgerUrl);
        h.properties.put("ferry.ledger.user", "postgres");
        h.properties.put("ferry.node-id", name);
        h.properties.put("ferry.cluster.lease-seconds", "3");
        return h.writeConfig();
    }

    /** The one transfer as the ledger has it: who owns it, with which epoch, and every segment. */
    private record Row(String status, String owner, long epoch, long bytesMoved, String segments) {
    }

    private Row row() {
        try (Connection c = schema.connect();
             Statement st = c.createStatement()) {
            Row r;
            try (ResultSet rs = st.executeQuery("SELECT status, owner, epoch, bytes_moved FROM ferry_transfer")) {
                if (!rs.next()) {
                    return new Row("NONE", null, 0, 0, "");
                }
                r = new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), "");
            }
            StringBuilder segs = new StringBuilder();
            try (ResultSet rs = st.executeQuery("SELECT seg_index, seg_start, seg_end, seg_offset, done"
                    + " FROM ferry_segment ORDER BY seg_index")) {
                while (rs.next()) {
                    segs.append(rs.getInt(1)).append(':').append(rs.getLong(2)).append('-').append(rs.getLong(3))
                            .append('@').append(rs.getLong(4)).append(rs.getBoolean(5) ? " done; " : "; ");
                }
            }
            return new Row(r.status(), r.owner(), r.epoch(), r.bytesMoved(), segs.toString());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long doneBytes() {
        try (Connection c = schema.connect();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(seg_offset - seg_start), 0) FROM ferry_segment")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long fencedWrites(String statusPage) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(statusPage + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^ferry_fenced_writes_total (\\d+)").matcher(r.body());
        assertTrue(m.find(), "no ferry_fenced_writes_total in " + r.body());
        return Long.parseLong(m.group(1));
    }

    @Test
    void aNodeCutFromTheLedgerStopsItsDownloadTheSurvivorPublishesItAndTheHealedNodeWritesNothing()
            throws Exception {
        long size = 32L * MIB;
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            String sha = Hashes.sha256(ftp.write("pub/big.bin", size, 17L));
            String cut = schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test");
            ServiceHarness first = node("node-1", ftp, cut);
            ServiceHarness second = node("node-2", ftp, schema.url());
            try (FerryService two = second.start(); ForkedJvm one = first.fork(ftp, "node-1")) {
                String banner = one.awaitLine(l -> STATUS_PAGE.matcher(l).find(), WAIT);
                Matcher page = STATUS_PAGE.matcher(banner);
                assertTrue(page.find());
                String statusPage = page.group(1);
                one.awaitLine(l -> l.contains("Ferry is running."), WAIT);
                // Checkpoints every 200 ms: when the cut comes, each segment has a ledger write on its way.
                ServiceHarness.writeJson(first.requestInbox(), "big.json", "{\"server\":\"fixture\","
                        + "\"remotePath\":\"/pub/big.bin\",\"localPath\":\"big.bin\","
                        + "\"options\":{\"segments\":4,\"checkpointMillis\":200}}");
                Await.until(WAIT, () -> "ACTIVE".equals(row().status()) && doneBytes() > size / 10,
                        () -> "node-1's download did not get under way: " + row());
                assertEquals("node-1", row().owner());

                db.cut();
                one.awaitLine(l -> l.contains("could not renew its leases for"), WAIT);
                Path published = first.downloads().resolve("big.bin");
                List<String> seen = new ArrayList<>();
                Await.until(WAIT, () -> {
                    Row r = row();
                    seen.add(r.status() + "/" + r.owner());
                    return "PUBLISHED".equals(r.status());
                }, () -> "node-2 did not publish: " + seen + "\n" + String.join("\n", one.output()));
                Row survivors = row();
                assertEquals("node-2", survivors.owner());
                assertEquals(sha, Hashes.sha256(published));
                // Without shared storage node-2 started over on its own disk: it moved every byte itself.
                assertTrue(survivors.bytesMoved() >= size, "node-2 moved " + survivors.bytesMoved());
                assertEquals(0, two.ledger().leases().fencedOff());
                assertFalse(Files.exists(first.requestInbox().resolve(".done/big.json")), "moved during the cut");

                db.heal();
                // The writes node-1 had on their way arrive now, and are refused.
                Await.until(WAIT, () -> {
                    try {
                        return fencedWrites(statusPage) > 0;
                    } catch (Exception e) {
                        return false;
                    }
                }, () -> "node-1 counted no fenced-off write after the cut healed\n" + String.join("\n", one.output()));
                // Node-1's request file follows the ledger: done, since node-2 published it; never .failed.
                Await.until(WAIT, () -> Files.exists(first.requestInbox().resolve(".done/big.json")),
                        () -> "node-1's request file: " + ServiceHarness.list(first.requestInbox()) + "\n"
                                + String.join("\n", one.output()));
                assertFalse(Files.exists(first.requestInbox().resolve(".failed/big.json")));
                // An observation window, not a synchronisation: a full lease of node-1's renewals and claim rounds
                // after the heal, the ledger is still exactly what node-2 left.
                Thread.sleep(3_000);
                assertEquals(survivors, row());
                assertEquals(0, two.ledger().leases().fencedOff());
                System.out.println("PARTITION-SUMMARY size=" + size + " survivorMoved=" + survivors.bytesMoved()
                        + " epoch=" + survivors.epoch() + " fencedOnCutNode=" + fencedWrites(statusPage)
                        + " fencedOnSurvivor=" + two.ledger().leases().fencedOff());
            }
        }
    }
}
