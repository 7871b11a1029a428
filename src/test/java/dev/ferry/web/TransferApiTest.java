package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API over real HTTP, against a real engine moving files from the embedded FTP server. */
class TransferApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long KIB = 1024;

    @TempDir
    Path tmp;
    WebFixture w;

    @AfterEach
    void stop() {
        if (w != null) {
            w.close();
        }
    }

    private void start(long ratePerConnection) throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().ratePerConnection(ratePerConnection).start(), s -> s);
    }

    private String download(String remote, Path local, String options) {
        return "{\"direction\":\"DOWNLOAD\",\"server\":\"test\",\"remotePath\":\"" + remote + "\",\"localPath\":\""
                + local + "\"" + (options == null ? "" : ",\"options\":" + options) + "}";
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private JsonNode transfer(String id) throws Exception {
        HttpResponse<String> r = w.get("/api/transfers/" + id);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void submitRunsToDoneAndListsIt() throws Exception {
        start(0);
        Path source = w.ftp.write("in/a.bin", 300 * KIB, 1);
        Path target = tmp.resolve("out/a.bin");
        HttpResponse<String> r = w.post("/api/transfers", download("/in/a.bin", target, null));
        assertEquals(202, r.statusCode(), r.body());
        String id = json(r).get("id").asText();
        assertEquals("/api/transfers/" + id, r.headers().firstValue("Location").orElseThrow());
        Await.until(Duration.ofSeconds(20), () -> "done".equals(stateOf(id)), () -> "state " + stateOf(id));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));

        JsonNode t = transfer(id);
        assertEquals("PUBLISHED", t.get("status").asText());
        assertEquals(300 * KIB, t.get("size").asLong());
        assertEquals(1.0, t.get("progress").asDouble());
        JsonNode list = json(w.get("/api/transfers"));
        assertEquals(id, list.get("recent").get(0).get("id").asText());
        assertEquals(0, list.get("active").size());
        assertEquals(404, w.get("/api/transfers/d-0000000000000000").statusCode());
    }

    /**
     * A review of the HTTP side: a transfer accepted and queued on this node said {@code here: false} while one waiting
     * for its server said {@code true}. {@code here} is whether this process holds it: its row owned by this node
     * under a live lease (moving, queued or waiting).
     */
    @Test
    void aTransferQueuedOnThisNodeIsHere() throws Exception {
        start(0);
        dev.ferry.plan.TransferRequest queued = w.engine.accept(new dev.ferry.plan.TransferRequest(
                dev.ferry.plan.Direction.DOWNLOAD, "test", "/in/q.bin", tmp.resolve("out/q.bin").toString(),
                dev.ferry.plan.TransferOptions.none()));
        JsonNode t = transfer(queued.id());
        assertEquals("queued", t.get("state").asText(), t.toString());
        assertTrue(t.get("here").asBoolean(), t.toString());
        assertEquals(w.ledger.leases().nodeId(), t.get("node").asText(), t.toString());
    }

    /**
     * A review: with a backlog of 1,029 the list held every one of them, a segments query each (0.5 MB and 12.7 s per
     * poll of the status page while the service worked). A page of the oldest now, and a count of the rest.
     */
    @Test
    void aBacklogIsListedAPageAtATimeWithACountOfTheRest() throws Exception {
        start(0);
        // One finished before the backlog: still listed as recent (the list's recent rows were all unfinished ones).
        w.ftp.write("in/done.bin", 10 * KIB, 4);
        HttpResponse<String> r = w.post("/api/transfers", download("/in/done.bin", tmp.resolve("out/done.bin"), null));
        assertEquals(202, r.statusCode(), r.body());
        String done = json(r).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> "done".equals(stateOf(done)), () -> "state " + stateOf(done));
        int backlog = TransferApi.UNFINISHED_LISTED + 37;
        for (int i = 0; i < backlog; i++) {
            w.engine.accept(new dev.ferry.plan.TransferRequest(dev.ferry.plan.Direction.DOWNLOAD, "test",
                    "/in/f" + i + ".bin", tmp.resolve("out/f" + i + ".bin").toString(),
                    dev.ferry.plan.TransferOptions.none()));
        }
        JsonNode list = json(w.get("/api/transfers"));
        assertEquals(TransferApi.UNFINISHED_LISTED, list.get("queued").size() + list.get("active").size(),
                list.get("queued").size() + " queued, " + list.get("active").size() + " active");
        assertEquals(37, list.get("queuedMore").asLong());
        assertEquals(done, list.get("recent").get(0).get("id").asText(), list.get("recent").toString());
        assertEquals(backlog, w.ledger.unfinishedCount());
    }

    private String stateOf(String id) {
        try {
            HttpResponse<String> r = w.get("/api/transfers/" + id);
            return r.statusCode() == 200 ? json(r).get("state").asText() : "HTTP " + r.statusCode();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void badInputIsRefusedWithAClearMessage() throws Exception {
        start(0);
        Path local = tmp.resolve("x.bin");
        assertBad(w.post("/api/transfers", "{not json"), "not valid JSON");
        assertBad(w.post("/api/transfers", "[1,2]"), "JSON object");
        assertBad(w.post("/api/transfers", ""), "empty");
        assertBad(w.post("/api/transfers", "{\"direction\":\"DOWNLOAD\",\"server\":\"test\",\"localPath\":\"" + local
                + "\"}"), "\"remotePath\" is missing");
        assertBad(w.post("/api/transfers", download("/a.bin", local, null).replace("DOWNLOAD", "SIDEWAYS")),
                "use DOWNLOAD or UPLOAD");
        assertBad(w.post("/api/transfers", download("/a.bin", local, null).replace("\"test\"", "\"nowhere\"")),
                "unknown server profile 'nowhere' in \"server\"");
        HttpResponse<String> url = w.post("/api/transfers", download("/a.bin", local, null).replace("\"test\"",
                "\"ftp://demo:SuperSecretPW1@127.0.0.1:2121/\""));
        assertBad(url, "\"server\" is a URL (\"ftp://demo:****@127.0.0.1:2121/\")");
        assertFalse(url.body().contains("SuperSecretPW1"), url.body());
        HttpResponse<String> nul = w.get("/api/transfers/%00");
        assertEquals(404, nul.statusCode(), "a NUL in an id is no transfer, not a ledger outage: " + nul.body());
        assertBad(w.post("/api/transfers", download("a.bin", local, null)), "must be absolute");
        assertBad(w.post("/api/transfers", download("/a.bin", Path.of("rel/x.bin"), null)), "absolute path");
        assertBad(w.post("/api/transfers", download("/a.bin", local, "{\"segments\":\"many\"}")), "options");
        assertBad(w.post("/api/transfers", download("/a.bin", local, null).replace("}", ",\"colour\":1}")),
                "unknown field \"colour\"");
        HttpResponse<String> form = w.send(w.request("/api/transfers").header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(download("/a.bin", local, null))));
        assertEquals(415, form.statusCode(), form.body());
        // Over the body limit: refused before any route, still as JSON with the reason in words.
        HttpResponse<String> big = w.post("/api/transfers", "{\"remotePath\":\"" + "a".repeat(2 << 20) + "\"}");
        assertEquals(413, big.statusCode(), big.body());
        assertTrue(big.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                big.headers().toString());
        assertTrue(big.body().contains("larger than 1 MiB"), big.body());
        HttpResponse<String> put = w.send(w.request("/api/transfers").PUT(
                java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, put.statusCode());
        assertEquals("GET, POST, HEAD", put.headers().firstValue("Allow").orElse(""), put.headers().toString());
        // HEAD wherever GET is: the same status and headers, no body.
        for (String path : new String[] {"/api/transfers", "/observe/health", "/"}) {
            HttpResponse<String> head = w.send(w.request(path).method("HEAD",
                    java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, head.statusCode(), path + ": " + head.body());
            assertEquals("", head.body(), path);
            assertTrue(head.headers().firstValue("Content-Length").isPresent(), path + ": " + head.headers());
            assertEquals("no-store", head.headers().firstValue("Cache-Control").orElse(""), path);
        }
        // The length its GET sends (these two answers do not change between the calls).
        for (String path : new String[] {"/api/transfers", "/"}) {
            HttpResponse<String> get = w.get(path);
            HttpResponse<String> head = w.send(w.request(path).method("HEAD",
                    java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertEquals(String.valueOf(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                    head.headers().firstValue("Content-Length").orElse(""), path);
            assertEquals("no-store", get.headers().firstValue("Cache-Control").orElse(""), path + ": not cached");
        }
        assertTrue(w.ledger.recent(10).isEmpty(), "nothing bad reached the ledger");
    }

    @Test
    void optionsOutOfRangeFractionsAndTrailingGarbageAreRefusedWith400NamingTheFieldOrTheProblem() throws Exception {
        start(0);
        Path local = tmp.resolve("x.bin");
        assertBad(w.post("/api/transfers", download("/a.bin", local, "{\"rateLimit\":-5}")), "options.rateLimit");
        assertBad(w.post("/api/transfers", download("/a.bin", local, "{\"maxAttempts\":-1}")), "options.maxAttempts");
        assertBad(w.post("/api/transfers", download("/a.bin", local, "{\"segments\":4.7}")), "segments");
        assertBad(w.post("/api/transfers", download("/a.bin", local, null) + " trailing"), "trailing");
        assertBad(w.post("/api/transfers", download("/a.bin", local, null) + "{}"), "more after the JSON object");
        assertTrue(w.ledger.recent(10).isEmpty(), "nothing bad reached the ledger");
    }

    @Test
    void resumeIsOfferedOnlyWhereItCanWork() throws Exception {
        start(0);
        w.ftp.write("in/e.bin", 10 * KIB, 3);
        Path target = tmp.resolve("out/e.bin");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "the user's own file");
        HttpResponse<String> r = w.post("/api/transfers", download("/in/e.bin", target, "{\"overwrite\":false}"));
        assertEquals(202, r.statusCode(), r.body());
        String id = json(r).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> "failed".equals(stateOf(id)), () -> "state " + stateOf(id));
        JsonNode failed = transfer(id);
        assertTrue(failed.get("lastError").asText().contains("already exists"), failed.toString());
        assertFalse(failed.get("resumable").asBoolean(true), "running it again ends the same way: " + failed);
        HttpResponse<String> resume = w.post("/api/transfers/" + id + "/resume", null);
        assertEquals(409, resume.statusCode(), resume.body());
        assertTrue(json(resume).get("error").asText().contains("already exists"), resume.body());
        assertEquals("the user's own file", Files.readString(target));
    }

    private static void assertBad(HttpResponse<String> r, String says) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        String error = json(r).get("error").asText();
        assertTrue(error.contains(says), "\"" + error + "\" should say " + says);
    }

    /**
     * Resumes at once (a retrying script, a double click): between one resume's accept and its lease another found the
     * row unfinished and held by nobody, and queued it again: two 202s, two runs, the second reopening the published
     * file and failing it "already exists" (the review of the HTTP side: 50 at once).
     */
    @Test
    void manyResumesAtOnceStartOneRun() throws Exception {
        start(512 * KIB);
        Path source = w.ftp.write("big/m.bin", 1024 * KIB, 8);
        Path target = tmp.resolve("out/m.bin");
        HttpResponse<String> r = w.post("/api/transfers", download("/big/m.bin", target,
                "{\"checkpointBytes\":" + 64 * KIB + ",\"checkpointMillis\":100}"));
        String id = json(r).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> bytesDone(id) >= 128 * KIB, () -> "progress " + bytesDone(id));
        assertEquals(202, w.post("/api/transfers/" + id + "/cancel", null).statusCode());
        Await.until(Duration.ofSeconds(20), () -> "cancelled".equals(stateOf(id)), () -> "state " + stateOf(id));

        int calls = 40;
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(calls);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> codes = new java.util.ArrayList<>();
            for (int i = 0; i < calls; i++) {
                codes.add(callers.submit(() -> {
                    go.await();
                    return w.post("/api/transfers/" + id + "/resume", null).statusCode();
                }));
            }
            go.countDown();
            int accepted = 0;
            for (java.util.concurrent.Future<Integer> code : codes) {
                accepted += code.get() == 202 ? 1 : 0;
            }
            assertEquals(1, accepted, "resumes accepted");
        } finally {
            callers.shutdownNow();
        }
        Await.until(Duration.ofSeconds(30), () -> "done".equals(stateOf(id)), () -> "state " + stateOf(id));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        assertEquals(TransferStatus.PUBLISHED, w.ledger.find(id).orElseThrow().status());
    }

    @Test
    void cancelThenResumeARunningTransferEndsByteIdentical() throws Exception {
        start(256 * KIB);
        Path source = w.ftp.write("big/c.bin", 2048 * KIB, 7);
        Path target = tmp.resolve("out/c.bin");
        String options = "{\"segments\":2,\"minSegmentSize\":" + 512 * KIB + ",\"checkpointBytes\":" + 64 * KIB
                + ",\"checkpointMillis\":100}";
        HttpResponse<String> r = w.post("/api/transfers", download("/big/c.bin", target, options));
        assertEquals(202, r.statusCode(), r.body());
        String id = json(r).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> bytesDone(id) >= 256 * KIB, () -> "progress " + bytesDone(id));

        HttpResponse<String> cancel = w.post("/api/transfers/" + id + "/cancel", null);
        assertEquals(202, cancel.statusCode(), cancel.body());
        Await.until(Duration.ofSeconds(20), () -> "cancelled".equals(stateOf(id)), () -> "state " + stateOf(id));
        JsonNode cancelled = transfer(id);
        long kept = cancelled.get("bytesDone").asLong();
        assertTrue(kept > 0 && kept < 2048 * KIB, "kept " + kept);
        assertEquals(2, cancelled.get("segments").size());
        assertFalse(Files.exists(target), "nothing under the final name");
        assertEquals(409, w.post("/api/transfers/" + id + "/cancel", null).statusCode());

        HttpResponse<String> resume = w.post("/api/transfers/" + id + "/resume", null);
        assertEquals(202, resume.statusCode(), resume.body());
        assertEquals(409, w.post("/api/transfers/" + id + "/resume", null).statusCode(), "already running");
        Await.until(Duration.ofSeconds(30), () -> "done".equals(stateOf(id)), () -> "state " + stateOf(id));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        assertEquals(TransferStatus.PUBLISHED, w.ledger.find(id).orElseThrow().status());
        assertEquals(409, w.post("/api/transfers/" + id + "/resume", null).statusCode(), "published");
        assertEquals(404, w.post("/api/transfers/d-0000000000000000/resume", null).statusCode());

        // Resuming saved what was already there, and metrics say so.
        String metrics = w.get("/observe/metrics").body();
        long resumed = value(metrics, "ferry_resumed_bytes_total{server=\"test\",direction=\"download\"}");
        assertTrue(resumed >= kept, "resumed " + resumed + " >= kept " + kept + "\n" + metrics);
        assertEquals(1, value(metrics, "ferry_transfers_total{server=\"test\",direction=\"download\",outcome=\"cancelled\"}"));
    }

    private long bytesDone(String id) {
        try {
            HttpResponse<String> r = w.get("/api/transfers/" + id);
            return r.statusCode() == 200 ? json(r).get("bytesDone").asLong() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * The value of one series, e.g. {@code ferry_transfers_total{server="test",outcome="failed"}}: the same name and
     * the same labels in any order (the Prometheus registry sorts them), and a whole number (it writes "3.0").
     */
    static long value(String metrics, String series) {
        Map.Entry<String, Map<String, String>> wanted = series(series);
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (series(line.substring(0, space)).equals(wanted)) {
                double v = Double.parseDouble(line.substring(space + 1).trim());
                assertEquals(Math.rint(v), v, line);
                return (long) v;
            }
        }
        throw new AssertionError("no series " + series + " in\n" + metrics);
    }

    private static Map.Entry<String, Map<String, String>> series(String s) {
        int brace = s.indexOf('{');
        if (brace < 0) {
            return Map.entry(s.trim(), Map.of());
        }
        Map<String, String> labels = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(s.substring(brace + 1, s.lastIndexOf('}')));
        while (m.find()) {
            labels.put(m.group(1), m.group(2));
        }
        return Map.entry(s.substring(0, brace), labels);
    }

    @Test
    void metricsAfterATransfer() throws Exception {
        start(0);
        w.ftp.write("m.bin", 700 * KIB, 3);
        HttpResponse<String> r = w.post("/api/transfers", download("/m.bin", tmp.resolve("m.bin"), null));
        String id = json(r).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> "done".equals(stateOf(id)), () -> "state " + stateOf(id));
        HttpResponse<String> m = w.get("/observe/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String text = m.body();
        assertEquals(700 * KIB, value(text, "ferry_transferred_bytes_total{server=\"test\",direction=\"download\"}"));
        assertEquals(0, value(text, "ferry_transferred_bytes_total{server=\"test\",direction=\"upload\"}"));
        assertEquals(1, value(text, "ferry_transfers_total{server=\"test\",direction=\"download\",outcome=\"published\"}"));
        assertEquals(0, value(text, "ferry_transfers_total{server=\"test\",direction=\"download\",outcome=\"failed\"}"));
        assertEquals(0, value(text, "ferry_retries_total{server=\"test\",direction=\"download\"}"));
        assertEquals(0, value(text, "ferry_active_transfers"));
        assertEquals(0, value(text, "ferry_active_segments"));
        assertEquals(0, value(text, "ferry_queued_transfers"));
        assertEquals(8, value(text, "ferry_server_connection_limit{server=\"test\"}"));
        assertTrue(text.contains("# TYPE ferry_transferred_bytes_total counter"), text);
        // A second scrape does not count the same bytes again.
        assertEquals(700 * KIB, value(w.get("/observe/metrics").body(),
                "ferry_transferred_bytes_total{server=\"test\",direction=\"download\"}"));
    }

    @Test
    void metricsAreAPrometheusRegistryWithJvmRouteAndFerryHistogramsPerServer() throws Exception {
        start(0);
        Path source = w.ftp.write("h.bin", 300 * KIB, 5);
        Path target = tmp.resolve("h.bin");
        HttpResponse<String> r = w.post("/api/transfers", download("/h.bin", target, null));
        String id = json(r).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> "done".equals(stateOf(id)), () -> "state " + stateOf(id));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));

        String text = w.get("/observe/metrics").body();
        // The JVM and the process, from Micrometer's binders.
        assertTrue(value(text, "jvm_threads_live_threads") > 0, text);
        assertTrue(text.contains("\njvm_memory_used_bytes{"), text);
        assertTrue(text.contains("\nprocess_uptime_seconds "), text);
        // Camel's route meters: the POST went through the ferry-web-api-transfers route.
        assertTrue(java.util.regex.Pattern.compile("(?m)^camel_exchanges_total\\{[^}]*"
                + "routeId=\"ferry-web-api-transfers\"[^}]*} 1\\.0$").matcher(text).find(), text);
        // Ferry's histograms, per server and direction.
        assertTrue(text.contains("# TYPE ferry_transfer_duration_seconds histogram"), text);
        String labels = "server=\"test\",direction=\"download\"";
        assertEquals(1, value(text, "ferry_transfer_duration_seconds_count{" + labels + "}"));
        assertEquals(1, value(text, "ferry_transfer_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}"));
        assertEquals(1, value(text, "ferry_transfer_size_bytes_count{" + labels + "}"));
        assertEquals(300 * KIB, value(text, "ferry_transfer_size_bytes_sum{" + labels + "}"));
        assertEquals(1, value(text, "ferry_transfer_size_bytes_bucket{" + labels + ",le=\"1048576.0\"}"));
        assertEquals(0, value(text, "ferry_transfer_size_bytes_count{server=\"test\",direction=\"upload\"}"));
        assertEquals(300 * KIB, value(text, "ferry_transferred_bytes_total{" + labels + "}"));
    }
}
