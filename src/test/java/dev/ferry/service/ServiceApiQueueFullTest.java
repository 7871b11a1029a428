package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's queue of transfers waiting to start fills up behind a server that takes connections and never answers
 * (its one transfer consumer waits for the greeting): a request posted then is refused at once with 503, nothing
 * recorded, and the status page and the API keep answering. (A server that cannot be reached at all no longer holds
 * the consumer: its transfers wait aside, {@link ServerWaitsTest}.) Before, the POST that found the queue full waited for room on its HTTP worker,
 * and so did every one after it, until no worker was left for the status page, the API or the health checks (a
 * review of the service over time saw all of them answer nothing for eight minutes).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServiceApiQueueFullTest {
    /** Camel's seda queue: 1,000 places. */
    private static final int QUEUE = 1000;
    /** Far longer than any answer here takes; a POST that waits for room in the queue waits past it. */
    private static final Duration ANSWER = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aRequestPostedWhileTheQueueIsFullIsRefusedAndTheApiKeepsAnswering() throws Exception {
        // Connections to it complete in the kernel's backlog, and nothing is ever said on them.
        try (FtpServerFixture ftp = FtpServerFixture.builder().start(); ServerSocket silent = new ServerSocket(0)) {
            ftp.write("w/a.bin", 4096, 3);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.transfer-consumers", "1");
            // A server that never answers: the one consumer waits for its greeting (and again at each retry).
            harness.properties.put("ferry.servers.gone.host", "127.0.0.1");
            harness.properties.put("ferry.servers.gone.port", String.valueOf(silent.getLocalPort()));
            harness.properties.put("ferry.servers.gone.user", "nobody");
            harness.secrets.put("ferry.servers.gone.password", "pw");
            int port = freePort();
            harness.properties.put("ferry.http.port", String.valueOf(port));
            harness.writeConfig();
            // In a JVM of its own, killed at the end: 1,000 queued transfers are not waited for.
            try (ForkedJvm service = harness.fork(ftp, "service")) {
                service.awaitLine(l -> l.contains("Ferry is running."), ANSWER);
                String base = "http://127.0.0.1:" + port + "/";
                List<String> accepted = new ArrayList<>();
                HttpResponse<String> refused = null;
                // One for the consumer, QUEUE waiting; a few more in case the consumer took its first one late.
                for (int i = 0; i < QUEUE + 10 && refused == null; i++) {
                    HttpResponse<String> r = post(base + "api/transfers",
                            "{\"server\":\"gone\",\"remotePath\":\"/x.bin\",\"localPath\":\"q/" + i + ".bin\"}");
                    if (r.statusCode() == 202) {
                        accepted.add(json.readTree(r.body()).get("id").asText());
                    } else {
                        refused = r;
                    }
                }
                assertTrue(refused != null, "every request accepted: " + accepted.size());
                assertEquals(503, refused.statusCode(), refused.body());
                String reason = json.readTree(refused.body()).get("error").asText();
                assertTrue(reason.contains("full") && reason.contains("nothing was recorded"), reason);
                assertTrue(accepted.size() >= QUEUE, "refused after " + accepted.size() + ": " + reason);
                // Nothing recorded for the refused one.
                Matcher id = Pattern.compile("transfer (d-[0-9a-f]+)").matcher(reason);
                assertTrue(id.find(), reason);
                assertEquals(404, get(base + "api/transfers/" + id.group(1)).statusCode());

                // Everything else still answers, the refused request's server's or not.
                assertEquals(200, get(base).statusCode());
                assertEquals(200, get(base + "observe/health/live").statusCode());
                HttpResponse<String> again = post(base + "api/transfers",
                        "{\"remotePath\":\"/w/a.bin\",\"localPath\":\"w/a.bin\"}");
                assertEquals(503, again.statusCode(), again.body());
                // Every request answered 202 is in the ledger, waiting: each by its id, and all of them counted by
                // the list (a page of the oldest, queuedMore the rest).
                List<String> unknown = new ArrayList<>();
                for (String a : accepted) {
                    if (get(base + "api/transfers/" + a).statusCode() != 200) {
                        unknown.add(a);
                    }
                }
                assertEquals(List.of(), unknown, "accepted and not in the ledger");
                JsonNode list = json.readTree(get(base + "api/transfers").body());
                assertEquals(accepted.size(), list.get("active").size() + list.get("queued").size()
                        + list.get("queuedMore").asLong(), list.get("active").size() + " active, "
                        + list.get("queued").size() + " queued, " + list.get("queuedMore") + " more");
                service.kill9();
            }
        }
    }

    private static int freePort() throws Exception {
        return closedPort();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
