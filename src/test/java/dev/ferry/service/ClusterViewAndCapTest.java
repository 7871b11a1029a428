package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.Hashes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service nodes in this JVM on one PostgreSQL ledger (a schema of its own per test) and one FTP server: one
 * connection limit for both, and each node's API shows the whole cluster. Skipped without PostgreSQL at
 * 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class ClusterViewAndCapTest {
    private static final int MIB = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_view");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    private FerryService node(String name, FtpServerFixture ftp) throws Exception {
        return node(name, ftp, Map.of());
    }

    private FerryService node(String name, FtpServerFixture ftp, Map<String, String> extra) throws Exception {
        ServiceHarness h = new ServiceHarness(tmp.resolve(name), ftp);
        h.properties.putAll(extra);
        h.properties.put("ferry.ledger.url", schema.url());
        h.properties.put("ferry.ledger.user", "postgres");
        h.properties.put("ferry.node-id", name);
        h.properties.put("ferry.cluster.lease-seconds", "3");
        return h.start();
    }

    private JsonNode get(FerryService node, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.webUrl() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String submit(FerryService node, String remote, String local, int segments) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.webUrl() + "api/transfers"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"server\":\"fixture\",\"remotePath\":\"" + remote
                        + "\",\"localPath\":\"" + local + "\",\"options\":{\"segments\":" + segments
                        + ",\"minSegmentSize\":1048576}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private boolean done(FerryService node, String id) {
        return "done".equals(get(node, "api/transfers/" + id).path("state").asText());
    }

    private static ServerProfile fixture(FerryService node) {
        return node.engine().profiles().get("fixture");
    }

    /** Issue 15 item 6: each node held up to its own 4 connections, so two nodes had 8 open on a limit of 4. */
    @Test
    void twoNodesTogetherNeverOpenMoreConnectionsThanTheServersLimit() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLogins(0).ratePerConnection(2 * MIB).start()) {
            List<String> shas = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                shas.add(Hashes.sha256(ftp.write("pub/f" + i + ".bin", 12L * MIB, 40L + i)));
            }
            try (FerryService a = node("node-a", ftp); FerryService b = node("node-b", ftp)) {
                ftp.resetCounters();
                List<String> idsA = List.of(submit(a, "/pub/f0.bin", "f0.bin", 4), submit(a, "/pub/f1.bin", "f1.bin", 4));
                List<String> idsB = List.of(submit(b, "/pub/f2.bin", "f2.bin", 4), submit(b, "/pub/f3.bin", "f3.bin", 4));
                Await.until(WAIT, () -> done(a, idsA.get(0)) && done(a, idsA.get(1)) && done(b, idsB.get(0))
                        && done(b, idsB.get(1)), () -> "not all published; server peak " + ftp.maxConcurrentSessions());
                assertEquals(shas.get(0), Hashes.sha256(tmp.resolve("node-a/data/downloads/f0.bin")));
                assertEquals(shas.get(1), Hashes.sha256(tmp.resolve("node-a/data/downloads/f1.bin")));
                assertEquals(shas.get(2), Hashes.sha256(tmp.resolve("node-b/data/downloads/f2.bin")));
                assertEquals(shas.get(3), Hashes.sha256(tmp.resolve("node-b/data/downloads/f3.bin")));
                assertTrue(ftp.maxConcurrentSessions() <= 4, "the server saw " + ftp.maxConcurrentSessions()
                        + " sessions at once from two nodes with a cluster limit of 4");
                assertTrue(ftp.maxConcurrentSessions() >= 2, "the nodes did use the server");
            }
        }
    }

    /** A "too many connections" seen by one node lowers the limit the other node plans and connects with. */
    @Test
    void aRefusalSeenByOneNodeLowersTheLimitForTheOther() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLogins(0).maxLoginsPerIp(3)
                .ratePerConnection(MIB).start()) {
            String sha0 = Hashes.sha256(ftp.write("pub/g0.bin", 8L * MIB, 50L));
            String sha1 = Hashes.sha256(ftp.write("pub/g1.bin", 4L * MIB, 51L));
            try (FerryService a = node("node-a", ftp); FerryService b = node("node-b", ftp)) {
                assertEquals(4, b.engine().pool().limit(fixture(b)));
                String first = submit(a, "/pub/g0.bin", "g0.bin", 4);
                Await.until(WAIT, () -> ftp.refusedConnections() > 0, () -> "node-a never met the server's limit");
                Await.until(Duration.ofSeconds(10), () -> b.engine().pool().limit(fixture(b)) <= 3,
                        () -> "node-b still plans with " + b.engine().pool().limit(fixture(b)) + " connections");
                int refusedBefore = ftp.refusedConnections();
                String second = submit(b, "/pub/g1.bin", "g1.bin", 4);
                Await.until(WAIT, () -> done(a, first) && done(b, second), () -> "not both published");
                assertEquals(sha0, Hashes.sha256(tmp.resolve("node-a/data/downloads/g0.bin")));
                assertEquals(sha1, Hashes.sha256(tmp.resolve("node-b/data/downloads/g1.bin")));
                assertEquals(refusedBefore, ftp.refusedConnections(), "node-b went past the lowered limit");
            }
        }
    }

    /** Issue 15 item 7: node-b's API shows node-a's transfer with its owner, and its health lists both nodes. */
    @Test
    void aTransferOnOneNodeIsSeenWithItsOwnerFromAnotherAndHealthListsEveryNode() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(512 << 10).start()) {
            String sha = Hashes.sha256(ftp.write("pub/slow.bin", 6L * MIB, 60L));
            try (FerryService b = node("node-b", ftp)) {
                String id;
                // node-a's stop must leave the download unfinished: a graceful stop of 15 s would let it end there.
                try (FerryService a = node("node-a", ftp, Map.of("camel.main.shutdown-timeout", "1"))) {
                    id = submit(a, "/pub/slow.bin", "slow.bin", 2);
                    Await.until(WAIT, () -> get(a, "api/transfers/" + id).path("bytesDone").asLong() > 0,
                            () -> "node-a's download did not start");
                    JsonNode[] seen = {null};
                    Await.until(Duration.ofSeconds(20), () -> {
                        seen[0] = get(b, "api/transfers/" + id);
                        return seen[0].path("bytesDone").asLong() > 0;
                    }, () -> "node-b sees no progress: " + seen[0]);
                    assertEquals("node-a", seen[0].path("node").asText(), seen[0].toString());
                    assertEquals("active", seen[0].path("state").asText(), seen[0].toString());
                    assertFalse(seen[0].path("here").asBoolean(true), seen[0].toString());

                    JsonNode list = get(b, "api/transfers");
                    assertEquals("node-b", list.path("node").asText());
                    JsonNode listed = null;
                    for (JsonNode t : list.path("active")) {
                        if (id.equals(t.path("id").asText())) {
                            listed = t;
                        }
                    }
                    assertTrue(listed != null, "node-a's transfer is not among node-b's active ones: " + list);
                    assertEquals("node-a", listed.path("node").asText());
                    JsonNode own = get(a, "api/transfers/" + id);
                    assertEquals("node-a", own.path("node").asText(), own.toString());
                    assertTrue(own.path("here").asBoolean(), own.toString());

                    Map<String, String> nodes = nodes(get(b, "observe/health"));
                    assertEquals(Map.of("node-a", "UP", "node-b", "UP"), nodes);
                }
                // node-a stopped: past its lease it is down, and node-b takes its download over.
                Await.until(Duration.ofSeconds(20), () -> "DOWN".equals(nodes(get(b, "observe/health")).get("node-a")),
                        () -> "node-a still shown as " + nodes(get(b, "observe/health")));
                assertEquals("UP", nodes(get(b, "observe/health")).get("node-b"));
                Await.until(WAIT, () -> done(b, id), () -> "not taken over: " + get(b, "api/transfers/" + id));
                assertEquals("node-b", get(b, "api/transfers/" + id).path("node").asText());
                assertEquals(sha, Hashes.sha256(tmp.resolve("node-a/data/downloads/slow.bin")));
            }
        }
    }

    /**
     * A review: on a node that lost a transfer to another (frozen past its lease) and still ran it, a cancel answered
     * 202 "cancelling" and stopped only that left-over run; the node running it went on. It now names that node.
     */
    @Test
    void aCancelOnANodeThatLostTheTransferNamesTheNodeThatHasIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(256 << 10).start()) {
            ftp.write("pub/lost.bin", 8L * MIB, 61L);
            try (FerryService a = node("node-a", ftp)) {
                String id = submit(a, "/pub/lost.bin", "lost.bin", 1);
                Await.until(WAIT, () -> get(a, "api/transfers/" + id).path("bytesDone").asLong() > 0,
                        () -> "node-a's download did not start");
                try (java.sql.Connection c = schema.connect(); java.sql.PreparedStatement ps = c.prepareStatement(
                        "UPDATE ferry_transfer SET owner = 'node-z', lease_until = CURRENT_TIMESTAMP + INTERVAL '1 hour'"
                                + " WHERE id = ?")) {
                    ps.setString(1, id);
                    assertEquals(1, ps.executeUpdate());
                }
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create(a.webUrl() + "api/transfers/" + id + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(409, r.statusCode(), r.body());
                assertTrue(r.body().contains("node-z") && r.body().contains("cancel it there"), r.body());
                // Resume and discard here say where it runs, not "interrupted" (the review's wording for a transfer
                // running healthily on another node).
                Await.until(WAIT, () -> !get(a, "api/transfers/" + id).path("here").asBoolean(true),
                        () -> "node-a still runs it: " + get(a, "api/transfers/" + id));
                for (String verb : new String[] {"resume", "discard"}) {
                    HttpResponse<String> v = http.send(HttpRequest.newBuilder(
                            URI.create(a.webUrl() + "api/transfers/" + id + "/" + verb))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(409, v.statusCode(), v.body());
                    assertTrue(v.body().contains("node-z") && !v.body().contains("interrupted"), verb + ": " + v.body());
                }
            }
        }
    }

    private static Map<String, String> nodes(JsonNode health) {
        Map<String, String> nodes = new java.util.TreeMap<>();
        for (JsonNode n : health.path("nodes")) {
            nodes.put(n.path("node").asText(), n.path("status").asText());
        }
        return nodes;
    }
}
