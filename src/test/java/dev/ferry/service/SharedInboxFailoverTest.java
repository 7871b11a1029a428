package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 5: two service nodes (JVMs of their own) on one PostgreSQL ledger and one shared upload inbox, with
 * {@code ferry.cluster.inbox=master}. One node takes the inbox; killed with SIGKILL, the other takes it over and
 * finishes the drops; every drop is uploaded exactly once and intact. Skipped without PostgreSQL at 127.0.0.1:5432,
 * a failure with {@code FERRY_REQUIRE_POSTGRES=1} (set by CI).
 */
class SharedInboxFailoverTest {
    private static final int KIB = 1024;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int DROPS = 10;

    @TempDir
    Path tmp;


    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_inbox");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    private ServiceHarness node(String name, FtpServerFixture ftp, Path inbox) {
        ServiceHarness h = new ServiceHarness(tmp.resolve(name), ftp);
        h.properties.put("ferry.ledger.url", schema.url());
        h.properties.put("ferry.ledger.user", "postgres");
        h.properties.put("ferry.node-id", name);
        h.properties.put("ferry.cluster.lease-seconds", "3");
        h.properties.put("ferry.cluster.inbox", "master");
        h.properties.put("ferry.cluster.shared-storage", "true");
        h.properties.put("ferry.inbox.upload", inbox.resolve("upload").toString());
        h.properties.put("ferry.inbox.requests", inbox.resolve("requests").toString());
        h.properties.put("ferry.inbox.parallel-transfers", "2");
        return h.writeConfig();
    }

    private Map<String, Integer> statuses() {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection c = schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, COUNT(*) FROM ferry_transfer GROUP BY status")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    private static long count(Path dir) {
        try (var s = Files.list(dir)) {
            return s.count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** Drop name → how many lines of {@code kind} name it, over both nodes. */
    private static Map<String, Long> reports(String kind, ForkedJvm... nodes) {
        Map<String, Long> byName = new java.util.TreeMap<>();
        java.util.regex.Pattern drop = java.util.regex.Pattern.compile("(drop-\\d+\\.bin)");
        for (ForkedJvm node : nodes) {
            for (String line : node.output()) {
                if (line.contains(kind)) {
                    java.util.regex.Matcher m = drop.matcher(line);
                    if (m.find()) {
                        byName.merge(m.group(1), 1L, Long::sum);
                    }
                }
            }
        }
        return byName;
    }

    /** Once every node runs: {@code drops} files of about 1.5 MiB into the shared upload inbox; name → SHA-256. */
    private static Map<String, String> dropWhenRunning(Path shared, Path staging, int drops, int seed,
                                                       ForkedJvm... nodes) throws java.io.IOException {
        for (ForkedJvm node : nodes) {
            node.awaitLine(l -> l.contains("Ferry is running."), WAIT);
        }
        Map<String, String> sources = new LinkedHashMap<>();
        drop(shared, staging, 0, drops, seed, sources);
        return sources;
    }

    /** Drops {@code drop-from} … {@code drop-(from+count-1)} into the shared upload inbox, adding them to sources. */
    private static void drop(Path shared, Path staging, int from, int count, int seed, Map<String, String> sources)
            throws java.io.IOException {
        for (int i = from; i < from + count; i++) {
            String name = "drop-" + i + ".bin";
            Path file = PseudoRandomContent.write(staging.resolve(name), 1536L * KIB + i * 7919L, seed + i);
            sources.put(name, Hashes.sha256(file));
            ServiceHarness.dropInto(shared.resolve("upload"), file);
        }
    }

    private static long uploadedLines(ForkedJvm node) {
        return node.output().stream().filter(l -> l.contains(" - uploaded drop-")).count();
    }

    @Test
    void oneNodeTakesTheSharedInboxAndWhenItIsKilledTheOtherFinishesEveryDropExactlyOnce() throws Exception {
        Path shared = tmp.resolve("shared-inbox");
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        // 1 MiB per second per connection: each drop (above the 1 MiB batch limit) takes a few seconds.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(1024L * KIB).start()) {
            ServiceHarness first = node("node-1", ftp, shared);
            ServiceHarness second = node("node-2", ftp, shared);
            try (ForkedJvm one = first.fork(ftp, "node-1"); ForkedJvm two = second.fork(ftp, "node-2")) {
                // The leader may file every drop it saw before the test reads its reports (several connections per
                // drop); the drops made after the kill are the ones only the other node can finish.
                int after = 5;
                Map<String, String> sources = dropWhenRunning(shared, staging, DROPS - after, 500, one, two);
                Path done = shared.resolve("upload").resolve(".done");
                Await.until(WAIT, () -> uploadedLines(one) + uploadedLines(two) >= 2,
                        () -> "no drop was uploaded: " + statuses());
                assertTrue(uploadedLines(one) == 0 || uploadedLines(two) == 0,
                        "both nodes took drops from the shared inbox at once");
                ForkedJvm leader = uploadedLines(one) > 0 ? one : two;
                ForkedJvm follower = leader == one ? two : one;
                assertEquals(137, leader.kill9());
                drop(shared, staging, DROPS - after, after, 500, sources);

                Await.until(WAIT, () -> count(done) == DROPS && statuses().equals(Map.of("PUBLISHED", DROPS)),
                        () -> "the other node did not finish the drops: " + statuses() + " done "
                        + ServiceHarness.list(shared.resolve("upload")) + "\n" + String.join("\n", follower.output()));
                assertTrue(uploadedLines(follower) >= after, () -> "the other node uploaded fewer than the " + after
                        + " drops made after the kill:\n" + String.join("\n", follower.output()));
                // Each drop reported once: uploaded by one node, or (killed between its report and its move to
                // .done/, or between its publish and its report) found already uploaded by the other, never twice.
                Map<String, Long> uploaded = reports(" - uploaded drop-", leader, follower);
                Map<String, Long> found = reports(" was already uploaded to ", leader, follower);
                for (String name : sources.keySet()) {
                    assertTrue(uploaded.getOrDefault(name, 0L) <= 1, name + " was uploaded twice: " + uploaded);
                    assertTrue(uploaded.containsKey(name) || found.containsKey(name), name + " was never reported");
                }
                for (Map.Entry<String, String> e : sources.entrySet()) {
                    assertEquals(e.getValue(), Hashes.sha256(ftp.file("incoming/" + e.getKey())), e.getKey());
                    assertTrue(Files.exists(done.resolve(e.getKey())), e.getKey() + " not in .done/");
                }
                assertEquals(DROPS, ftp.commandCount("RNTO"), "a drop was renamed into place more than once");
                assertTrue(!Files.exists(shared.resolve("upload").resolve(".failed")),
                        "a drop failed: " + ServiceHarness.list(shared.resolve("upload").resolve(".failed")));
            }
        }
    }

    /**
     * The master frozen rather than dead (SIGSTOP: its sockets, files and locks stay open, as in a paused VM). It kept
     * Camel's lock file's lock, so the other node never took the inbox and the drops waited until the master ran
     * again. Now its lead in the ledger runs out like a lease: the other node takes the inbox and finishes every drop
     * while the master is still frozen; woken, the master stops taking the inbox, and every drop is uploaded once.
     */
    @Test
    void whenTheMasterFreezesTheOtherTakesTheInboxAndTheWokenMasterStops() throws Exception {
        Path shared = tmp.resolve("shared-inbox");
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        int before = 4;
        int after = 4;
        int drops = before + after;
        // 512 KiB/s per connection, so the master is likely to hold drops in flight when it freezes. The master can
        // still be quick enough (several connections per drop) to file every drop it saw before the test reads its
        // first report; the drops made after the freeze are the ones only the other node can finish.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(512L * KIB).start()) {
            ServiceHarness first = node("node-1", ftp, shared);
            ServiceHarness second = node("node-2", ftp, shared);
            try (ForkedJvm one = first.fork(ftp, "node-1"); ForkedJvm two = second.fork(ftp, "node-2")) {
                Map<String, String> sources = dropWhenRunning(shared, staging, before, 700, one, two);
                Path done = shared.resolve("upload").resolve(".done");
                Await.until(WAIT, () -> uploadedLines(one) + uploadedLines(two) >= 1,
                        () -> "no drop was uploaded: " + statuses());
                ForkedJvm master = uploadedLines(one) > 0 ? one : two;
                ForkedJvm other = master == one ? two : one;
                master.signal("STOP");
                try {
                    drop(shared, staging, before, after, 700, sources);
                    Await.until(WAIT, () -> count(done) == drops && statuses().equals(Map.of("PUBLISHED", drops)),
                            () -> "the other node did not finish the drops while the master was frozen: " + statuses()
                            + " done " + ServiceHarness.list(shared.resolve("upload")) + "\n"
                            + String.join("\n", other.output()));
                    assertTrue(other.output().stream().anyMatch(l -> l.contains(" takes the shared inboxes")),
                            () -> "the other node never said it took the inboxes:\n"
                                    + String.join("\n", other.output()));
                    assertTrue(uploadedLines(other) >= after, () -> "the other node uploaded fewer than the "
                            + after + " drops made after the freeze:\n" + String.join("\n", other.output()));
                } finally {
                    master.signal("CONT");
                }
                master.awaitLine(l -> l.contains(" no longer takes the shared inboxes"), WAIT);
                // Each drop reported once, by one node: uploaded, or found already uploaded, never twice.
                Map<String, Long> uploaded = reports(" - uploaded drop-", master, other);
                Map<String, Long> found = reports(" was already uploaded to ", master, other);
                for (String name : sources.keySet()) {
                    assertTrue(uploaded.getOrDefault(name, 0L) <= 1, name + " was uploaded twice: " + uploaded);
                    assertTrue(uploaded.containsKey(name) || found.containsKey(name), name + " was never reported");
                }
                for (Map.Entry<String, String> e : sources.entrySet()) {
                    assertEquals(e.getValue(), Hashes.sha256(ftp.file("incoming/" + e.getKey())), e.getKey());
                    assertTrue(Files.exists(done.resolve(e.getKey())), () -> e.getKey() + " not in .done/: "
                            + ServiceHarness.list(shared.resolve("upload")) + "\n" + String.join("\n", master.output()));
                }
                assertEquals(drops, count(done), () -> "more than the drops in .done/: " + ServiceHarness.list(done));
                assertTrue(!Files.exists(shared.resolve("upload").resolve(".failed")),
                        "a drop failed: " + ServiceHarness.list(shared.resolve("upload").resolve(".failed")));
                assertEquals(Map.of("PUBLISHED", drops), statuses());
            }
        }
    }
}
