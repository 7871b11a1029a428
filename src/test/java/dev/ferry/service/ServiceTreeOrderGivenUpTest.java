package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TreeView;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder order from the API that cannot start for a permanent reason ends: its tree FAILED with the reason (API),
 * the order dropped, one treeFinished event. The local folder cannot be made: before this, the order was sent again
 * every 30 s with its tree ACCEPTED forever. The server refuses the login (after the claim): FAILED before too, but
 * without a reason anyone could read.
 */
class ServiceTreeOrderGivenUpTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void aTreeOrderThatCannotStartEndsFailedWithItsReason() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("tree/a.bin", 1000, 1);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.servers.refusing.host", ftp.host());
            harness.properties.put("ferry.servers.refusing.port", String.valueOf(ftp.port()));
            harness.properties.put("ferry.servers.refusing.user", ftp.user());
            harness.secrets.put("ferry.servers.refusing.password", "not-" + ftp.password());
            try (FerryService service = harness.start()) {
                Map<String, String> finished = new ConcurrentHashMap<>();
                service.engine().addListener(new TransferListener() {
                    @Override
                    public void treeFinished(TreeView tree, String reason) {
                        finished.put(tree.id(), tree.status() + ": " + reason);
                    }
                });
                String base = service.webUrl();
                Files.createDirectories(harness.downloads());
                Files.writeString(harness.downloads().resolve("a-file"), "in the way");
                String local = post(base, "{\"remotePath\":\"/tree/\",\"localPath\":\"a-file/t2\"}");
                JsonNode cannot = failed(base, local, finished);
                assertTrue(cannot.get("reason").asText().contains("a-file"), cannot.toString());

                String login = post(base, "{\"server\":\"refusing\",\"remotePath\":\"/tree/\",\"localPath\":\"t1\"}");
                JsonNode refused = failed(base, login, finished);
                assertTrue(refused.get("reason").asText().contains("refused"), refused.toString());

                // The tree's row shows its end a moment before its run forgets the request: wait for that step.
                Await.until(WAIT, () -> service.ledger().treeOrders().pending(service.ledger().leases().nodeId())
                        .isEmpty(), () -> "both orders are given up");
            }
        }
    }

    /** Waits for the tree to end FAILED (API) and for its one treeFinished event; the tree's JSON. */
    private JsonNode failed(String base, String id, Map<String, String> finished) throws Exception {
        Await.until(WAIT, () -> get(base + "api/transfers/" + id).contains("\"status\":\"FAILED\"")
                && finished.containsKey(id), () -> get(base + "api/transfers/" + id) + " " + finished);
        assertTrue(finished.get(id).startsWith("FAILED"), finished.toString());
        return JSON.readTree(get(base + "api/transfers/" + id));
    }

    private String post(String base, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "api/transfers"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private String get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
