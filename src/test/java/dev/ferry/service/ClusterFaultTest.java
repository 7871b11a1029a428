package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.fault.FaultSummary;
import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.RabbitMq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's cluster fault test: three service JVMs on one PostgreSQL ledger (a fresh schema), download requests
 * through RabbitMQ and drops into one shared upload inbox ({@code ferry.cluster.inbox=master}), one throttled FTP
 * server with a cluster-wide connection limit, and a seeded random {@code kill -9} of a node every few seconds, each
 * killed node started again at once. At the end every transfer is PUBLISHED once (or FAILED with a reason), every
 * published file is byte-identical to its source, no write of a node that lost its lease landed (the final rows
 * are consistent; refused writes are counted from the nodes' logs), the server never saw more of Ferry's connections
 * than the limit, and the bytes sent again after kills are reported in the FAULT-SUMMARY line.
 *
 * <p>Sizes: 150 transfers, 100 downloads and 50 uploads, mostly 1 KiB – 256 KiB (the batch lanes), a quarter 256 KiB –
 * 2 MiB and one in twenty 4 MiB (segmented), at 1 MiB/s per FTP connection. {@code -Dferry.fault.clusterRounds=N}
 * changes the number of kills (default 20), {@code -Dferry.fault.seed} the seed. Skipped without PostgreSQL or
 * RabbitMQ; under CI=true (or FERRY_REQUIRE_POSTGRES=1 / FERRY_REQUIRE_RABBITMQ=1) that is a failure.
 */
@Tag("fault")
class ClusterFaultTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final long SEED = FaultSummary.seed(0xFE77_0015L);
    private static final int ROUNDS = Integer.getInteger("ferry.fault.clusterRounds", 20);
    private static final int NODES = 3;
    private static final int DOWNLOADS = 100;
    private static final int UPLOADS = 50;
    private static final int CONNECTION_LIMIT = 6;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FINISH = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    private PostgresSchema schema;
    private String url;
    private RabbitMq rabbit;
    private String queue;

    @BeforeEach
    void infrastructure() {
        schema = PostgresSchema.create("ferry_chaos");
        url = schema.url();
        rabbit = RabbitMq.requireReachable();
        queue = rabbit.uniqueQueue("ferry-chaos");
        rabbit.declare(queue);
    }

    @AfterEach
    void cleanUp() throws SQLException {
        if (rabbit != null) {
            rabbit.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    /** One node's configuration: its own data dir, everything else shared with the others. */
    private ServiceHarness node(int n, FtpServerFixture ftp, Path shared) {
        ServiceHarness h = new ServiceHarness(tmp.resolve("node-" + n), ftp);
        h.properties.put("ferry.ledger.url", url);
        h.properties.put("ferry.ledger.user", "postgres");
        h.properties.put("ferry.node-id", "node-" + n);
        h.properties.put("ferry.cluster.lease-seconds", "3");
        h.properties.put("ferry.cluster.inbox", "master");
        h.properties.put("ferry.cluster.shared-storage", "true");
        h.properties.put("ferry.inbox.upload", shared.resolve("inbox/upload").toString());
        h.properties.put("ferry.inbox.requests", shared.resolve("inbox/requests").toString());
        h.properties.put("ferry.download-dir", shared.resolve("downloads").toString());
        h.properties.put("ferry.servers.fixture.connection-limit", String.valueOf(CONNECTION_LIMIT));
        h.properties.put("ferry.broker.host", RabbitMq.HOST);
        h.properties.put("ferry.broker.port", String.valueOf(RabbitMq.PORT));
        h.properties.put("ferry.broker.user", RabbitMq.USER);
        h.secrets.put("ferry.broker.password", RabbitMq.PASSWORD);
        h.properties.put("ferry.queue.requests", "jms:queue:" + queue);
        h.properties.put("ferry.queue.dead-letter", "jms:queue:" + queue + ".dlq");
        return h.writeConfig();
    }

    /** Mostly small files (batched), some medium, a few large ones (segmented). */
    private static long size(Random random) {
        int kind = random.nextInt(20);
        if (kind == 0) {
            return 4L * MIB;
        }
        if (kind < 6) {
            return 256L * KIB + random.nextInt(7 * 256 * KIB);
        }
        return KIB + random.nextInt(255 * KIB);
    }

    private record Item(String name, boolean upload, long size, String sha) {
    }

    @Test
    void threeNodesKilledAtRandomFinishEveryTransferOnceAndIntact() throws Exception {
        FaultSummary summary = new FaultSummary(ClusterFaultTest.class, SEED);
        Random random = new Random(SEED);
        Path shared = tmp.resolve("shared");
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Path inbox = shared.resolve("inbox/upload");
        Files.createDirectories(inbox);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < DOWNLOADS + UPLOADS; i++) {
            boolean upload = i % 3 == 2;
            items.add(new Item((upload ? "up-" : "down-") + i + ".bin", upload, size(random), null));
        }
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start()) {
            // Sources: downloads on the server, uploads staged beside the inbox (each moved in with one rename).
            List<Item> sourced = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                Path file = it.upload() ? PseudoRandomContent.write(staging.resolve(it.name()), it.size(), 7000 + i)
                        : ftp.write("chaos/" + it.name(), it.size(), 7000 + i);
                sourced.add(new Item(it.name(), it.upload(), it.size(), Hashes.sha256(file)));
            }
            items = sourced;
            ServiceHarness[] config = new ServiceHarness[NODES];
            ForkedJvm[] nodes = new ForkedJvm[NODES];
            int[] incarnation = new int[NODES];
            List<Path> logs = new ArrayList<>();
            try {
                for (int n = 0; n < NODES; n++) {
                    config[n] = node(n + 1, ftp, shared);
                    nodes[n] = start(config[n], ftp, n, incarnation, logs);
                }
                for (ForkedJvm node : nodes) {
                    node.awaitLine(l -> l.contains("Ferry is running."), START);
                }
                long started = System.nanoTime();
                int perRound = (items.size() + ROUNDS - 1) / ROUNDS;
                int next = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    // New work every round, so every kill lands among transfers under way.
                    for (int k = 0; k < perRound && next < items.size(); k++, next++) {
                        Item it = items.get(next);
                        if (it.upload()) {
                            ServiceHarness.dropInto(inbox, staging.resolve(it.name()));
                        } else {
                            rabbit.publish(queue, "{\"remotePath\":\"/chaos/" + it.name() + "\",\"localPath\":\""
                                    + it.name() + "\"}");
                        }
                    }
                    Thread.sleep(2000 + random.nextInt(2000)); // the fault's timing is the test's input, not a wait
                    // Any node, a starting one too: a restart is not waited for before the next kill.
                    int victim = random.nextInt(NODES);
                    assertEquals(137, nodes[victim].kill9(), "node-" + (victim + 1) + " had ended by itself\n"
                            + String.join("\n", nodes[victim].output()));
                    summary.faults.incrementAndGet();
                    nodes[victim].close();
                    nodes[victim] = start(config[victim], ftp, victim, incarnation, logs);
                    summary.rounds.incrementAndGet();
                }
                while (next < items.size()) {
                    Item it = items.get(next++);
                    if (it.upload()) {
                        ServiceHarness.dropInto(inbox, staging.resolve(it.name()));
                    } else {
                        rabbit.publish(queue, "{\"remotePath\":\"/chaos/" + it.name() + "\",\"localPath\":\""
                                + it.name() + "\"}");
                    }
                }
                int expected = items.size();
                List<Item> all = items;
                Await.until(FINISH, () -> finished() == expected, () -> "not every transfer ended: " + statuses()
                        + "\n" + unaccounted(all, inbox, logs) + tails(logs));
                long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

                // Every transfer once in the ledger, PUBLISHED or FAILED with a reason.
                Map<String, String> rows = rows();
                assertEquals(expected, rows.size(), "one ledger row per request and drop: " + statuses());
                long failed = 0;
                for (Item it : items) {
                    String row = rows.get(it.name());
                    assertTrue(row != null, it.name() + " has no ledger row");
                    if (row.startsWith("FAILED")) {
                        assertTrue(row.length() > "FAILED ".length() + 5, it.name() + " failed without a reason");
                        failed++;
                    } else {
                        assertEquals("PUBLISHED", row, it.name());
                    }
                }
                summary.failedClearly.set(failed);
                assertEquals(0, failed, "transfers failed under kills: " + failures(rows));
                assertEquals(0, rabbit.ready(queue + ".dlq"), "a request went to the dead-letter queue");

                // Byte for byte: downloads in the shared download dir, uploads on the server.
                long bytes = 0;
                for (Item it : items) {
                    Path published = it.upload() ? ftp.file("incoming/" + it.name())
                            : shared.resolve("downloads").resolve(it.name());
                    assertEquals(it.sha(), Hashes.sha256(published), it.name());
                    bytes += it.size();
                    summary.verified.incrementAndGet();
                }
                // Every drop answered once: in .done/ under its own name, no second copy kept aside.
                List<String> done = names(inbox.resolve(".done"));
                assertEquals(items.stream().filter(Item::upload).map(Item::name).sorted().toList(), done,
                        "the drops in .done/");
                assertTrue(!Files.exists(inbox.resolve(".failed")), "drops failed: " + names(inbox.resolve(".failed")));

                // The final rows are consistent: every segment of every transfer complete, sizes as the files'.
                assertEquals(List.of(), inconsistentRows(), "rows a late writer may have overwritten");
                Map<String, Long> sizes = new TreeMap<>();
                query("SELECT local_path, size_bytes FROM ferry_transfer",
                        rs -> sizes.put(Path.of(rs.getString(1)).getFileName().toString(), rs.getLong(2)));
                for (Item it : items) {
                    assertEquals(it.size(), sizes.get(it.name()), it.name() + ": the ledger's size");
                }
                long[] ledgerResent = {0};
                query("SELECT COALESCE(SUM(bytes_resent), 0) FROM ferry_transfer", rs -> ledgerResent[0] = rs.getLong(1));
                assertTrue(ftp.maxConcurrentSessions() <= CONNECTION_LIMIT, "the server saw "
                        + ftp.maxConcurrentSessions() + " connections from Ferry at once, above the limit "
                        + CONNECTION_LIMIT + ": " + ftp.peakReport());

                long downloaded = items.stream().filter(i -> !i.upload()).mapToLong(Item::size).sum();
                long uploaded = bytes - downloaded;
                long resent = Math.max(0, ftp.bytesSent() - downloaded) + Math.max(0, ftp.bytesReceived() - uploaded);
                summary.resent.set(resent);
                long fenced = countInLogs(logs, "another node owns it now, so this one stops it");
                summary.more = " nodes=" + NODES + " transfers=" + expected + " bytes=" + bytes
                        + " ledgerResent=" + ledgerResent[0] + " fencedWrites=" + fenced + " peakConnections=" + ftp.maxConcurrentSessions()
                        + " limit=" + CONNECTION_LIMIT + " seconds=" + seconds;
                // Bounded: kills cost re-sent segments, never a whole second copy of the work.
                assertTrue(resent < bytes, "re-sent " + resent + " bytes of " + bytes);
            } finally {
                for (ForkedJvm node : nodes) {
                    if (node != null) {
                        node.close();
                    }
                }
                summary.print();
                keep(logs);
            }
        }
    }

    private static ForkedJvm start(ServiceHarness config, FtpServerFixture ftp, int n, int[] incarnation,
                                   List<Path> logs) {
        ForkedJvm jvm = config.fork(ftp, "node-" + (n + 1) + "." + (++incarnation[n]));
        logs.add(jvm.logFile());
        return jvm;
    }

    private int finished() {
        Map<String, Integer> s = statuses();
        return s.getOrDefault("PUBLISHED", 0) + s.getOrDefault("FAILED", 0) + s.getOrDefault("CANCELLED", 0)
                - (s.containsKey("ACCEPTED") || s.containsKey("ACTIVE") ? 1_000_000 : 0);
    }

    private Map<String, Integer> statuses() {
        Map<String, Integer> counts = new TreeMap<>();
        query("SELECT status, COUNT(*) FROM ferry_transfer GROUP BY status",
                rs -> counts.put(rs.getString(1), rs.getInt(2)));
        return counts;
    }

    /** File name → status (with the reason when FAILED). */
    private Map<String, String> rows() {
        Map<String, String> rows = new LinkedHashMap<>();
        query("SELECT local_path, status, reason FROM ferry_transfer", rs -> {
            String name = Path.of(rs.getString(1)).getFileName().toString();
            String status = rs.getString(2);
            String previous = rows.put(name, "FAILED".equals(status) ? status + " " + rs.getString(3) : status);
            if (previous != null) {
                throw new AssertionError(name + " has two ledger rows");
            }
        });
        return rows;
    }

    private List<String> inconsistentRows() {
        List<String> bad = new ArrayList<>();
        query("SELECT t.local_path, t.size_bytes, s.seg_index, s.seg_start, s.seg_end, s.seg_offset"
                + " FROM ferry_transfer t JOIN ferry_segment s ON s.transfer_id = t.id"
                + " WHERE t.status = 'PUBLISHED' AND (s.seg_offset <> s.seg_end OR s.seg_end > t.size_bytes)",
                rs -> bad.add(rs.getString(1) + " segment " + rs.getInt(3) + " [" + rs.getLong(4) + ", "
                        + rs.getLong(5) + ") at " + rs.getLong(6) + " of " + rs.getLong(2)));
        return bad;
    }

    private static String failures(Map<String, String> rows) {
        return rows.entrySet().stream().filter(e -> e.getValue().startsWith("FAILED")).limit(5)
                .map(e -> e.getKey() + ": " + e.getValue()).toList().toString();
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowReader reader) {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long countInLogs(List<Path> logs, String text) throws IOException {
        long n = 0;
        for (Path log : logs) {
            if (Files.exists(log)) {
                try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                    n += lines.filter(l -> l.contains(text)).count();
                }
            }
        }
        return n;
    }

    /** The nodes' logs, kept under target/cluster-fault-logs/ (the temporary folder goes with the test). */
    private static void keep(List<Path> logs) {
        Path dir = Path.of("target/cluster-fault-logs");
        try {
            Files.createDirectories(dir);
            for (Path log : logs) {
                if (Files.exists(log)) {
                    Files.copy(log, dir.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.out.println("cannot keep the nodes' logs in " + dir + ": " + e);
        }
    }

    /**
     * For a run that does not end: each request or drop without a ledger row, where it is (the drop's file, the queue's
     * waiting messages) and every log line of any node that names it — a rare loss must explain itself from one run.
     */
    private String unaccounted(List<Item> items, Path inbox, List<Path> logs) {
        Map<String, String> rows = new LinkedHashMap<>();
        query("SELECT local_path, status FROM ferry_transfer",
                rs -> rows.put(Path.of(rs.getString(1)).getFileName().toString(), rs.getString(2)));
        StringBuilder b = new StringBuilder();
        for (Item it : items) {
            if (rows.containsKey(it.name())) {
                continue;
            }
            b.append("no ledger row: ").append(it.name());
            if (it.upload()) {
                b.append(" (drop; in the inbox: ").append(Files.exists(inbox.resolve(it.name())))
                        .append(", in .done/: ").append(Files.exists(inbox.resolve(".done").resolve(it.name())))
                        .append(", in .failed/: ").append(Files.exists(inbox.resolve(".failed").resolve(it.name())))
                        .append(')');
            } else {
                b.append(" (queued request; messages ready in the queue: ").append(rabbit.ready(queue)).append(')');
            }
            b.append('\n');
            for (Path log : logs) {
                try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                    lines.filter(l -> l.contains(it.name())).limit(20)
                            .forEach(l -> b.append("  ").append(log.getFileName()).append(": ").append(l).append('\n'));
                } catch (IOException | UncheckedIOException e) {
                    b.append("  ").append(log).append(": ").append(e).append('\n');
                }
            }
        }
        return b.toString();
    }

    private static String tails(List<Path> logs) {
        StringBuilder b = new StringBuilder();
        for (Path log : logs.subList(Math.max(0, logs.size() - NODES), logs.size())) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                b.append("--- ").append(log.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                b.append(log).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }
}
