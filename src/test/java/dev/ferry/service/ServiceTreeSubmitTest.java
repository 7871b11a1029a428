package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 through the API: POST /api/transfers with a folder runs the tree (not a one-file failure), answers 202 with
 * the tree's id, and each file's transfer names that tree ("tree" in its JSON, listed by ?tree=&lt;id&gt;).
 */
class ServiceTreeSubmitTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void aFolderPostedToTheApiIsDownloadedAsATreeWhoseFilesNameIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("api/top.bin", 10_000, 1);
            ftp.write("api/l1/mid.bin", 0, 2);
            ftp.write("api/l1/l2/deep.bin", 3L << 20, 3);
            ftp.write("api/l1/l2/small.bin", 70_000, 4);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                String base = service.webUrl();
                HttpResponse<String> r = post(base + "api/transfers", "{\"remotePath\":\"/api/\",\"localPath\":\"api\"}");
                assertEquals(202, r.statusCode(), r.body());
                JsonNode accepted = JSON.readTree(r.body());
                assertEquals("tree", accepted.path("kind").asText(), r.body());
                String id = accepted.get("id").asText();
                assertEquals("/api/transfers/" + id, accepted.get("href").asText());

                Await.until(WAIT, () -> get(base + "api/transfers/" + id).contains("\"status\":\"DONE\""),
                        () -> get(base + "api/transfers/" + id));
                Path local = harness.downloads().resolve("api");
                assertEquals(hashes(ftp.file("api")), hashes(local));
                JsonNode tree = JSON.readTree(get(base + "api/transfers/" + id));
                assertEquals(4, tree.get("files").asInt(), tree.toString());
                assertEquals(4, tree.get("transferred").asInt(), tree.toString());

                // Every file's transfer names its tree, and the tree's id lists them.
                String files = get(base + "api/transfers?tree=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                JsonNode transfers = JSON.readTree(files).get("transfers");
                Set<String> names = new HashSet<>();
                for (JsonNode t : transfers) {
                    assertEquals(id, t.path("tree").asText(), files);
                    assertEquals("done", t.get("state").asText(), files);
                    names.add(t.get("remotePath").asText());
                }
                assertEquals(Set.of("/api/top.bin", "/api/l1/mid.bin", "/api/l1/l2/deep.bin", "/api/l1/l2/small.bin"),
                        names, files);
                assertTrue(get(base + "api/transfers").contains("\"tree\":\"" + id + "\""),
                        "the list shows each file's tree too");
                // The tree's row shows its end a moment before its run forgets the request: wait for that step.
                Await.until(WAIT, () -> service.ledger().treeOrders().pending(service.ledger().leases().nodeId())
                        .isEmpty(), () -> "the tree ran: its request is not kept to run again");
            }
        }
    }

    @Test
    void aBadFolderRequestIsRefusedWithTheFieldNamed() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("bad/a.bin", 1000, 1);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                String base = service.webUrl();
                Files.createDirectories(harness.downloads());
                Files.writeString(harness.downloads().resolve("a-file"), "not a folder");
                HttpResponse<String> file = post(base + "api/transfers",
                        "{\"remotePath\":\"/bad\",\"recursive\":true,\"localPath\":\"a-file\"}");
                assertEquals(400, file.statusCode(), file.body());
                assertTrue(file.body().contains("'localPath'") && file.body().contains("a file"), file.body());
                HttpResponse<String> flag = post(base + "api/transfers",
                        "{\"remotePath\":\"/bad/\",\"localPath\":\"bad\",\"relist\":\"yes\"}");
                assertEquals(400, flag.statusCode(), flag.body());
                assertTrue(flag.body().contains("'relist'"), flag.body());
                HttpResponse<String> escape = post(base + "api/transfers",
                        "{\"remotePath\":\"/bad/\",\"localPath\":\"../../etc\"}");
                assertEquals(400, escape.statusCode(), escape.body());
                assertTrue(escape.body().contains("'localPath'"), escape.body());
                assertEquals("not a folder", Files.readString(harness.downloads().resolve("a-file")));
                assertTrue(Files.notExists(tmp.resolve("etc")));
                assertTrue(service.ledger().treeListings().recent(10).isEmpty(), "no tree was accepted");
            }
        }
    }

    private HttpResponse<String> post(String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> m.put(root.relativize(f).toString(), Hashes.sha256(f)));
        }
        return m;
    }
}
