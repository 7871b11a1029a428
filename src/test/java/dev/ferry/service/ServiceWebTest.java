package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service serves the status page and API (dev.ferry.web): a request posted there runs through the routes. */
class ServiceWebTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void aRequestPostedToTheApiIsDownloadedThroughThePipeline() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("w/a.bin", 3L << 20, 9);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                String base = service.webUrl();
                assertNotNull(base, "the status page is on by default");
                Await.until(WAIT, () -> status(base + "observe/health") == 200, () -> body(base + "observe/health"));
                assertTrue(body(base).contains("<title>Ferry</title>"));
                // Camel's registry as a whole: camel-main's own checks beside Ferry's.
                String full = body(base + "observe/health?exposureLevel=full");
                for (String check : List.of("context", "ledger", "server:fixture", "ferry-health-rounds")) {
                    assertTrue(full.contains("{\"name\":\"" + check + "\",\"status\":\"UP\""), check + " in " + full);
                }

                // The request file's JSON: default server, localPath relative to the download folder.
                HttpResponse<String> r = post(base + "api/transfers", "{\"remotePath\":\"/w/a.bin\",\"localPath\":\"w/a.bin\"}");
                assertEquals(202, r.statusCode(), r.body());
                String id = new ObjectMapper().readTree(r.body()).get("id").asText();
                Path local = harness.downloads().resolve("w/a.bin");
                Await.until(WAIT, () -> body(base + "api/transfers/" + id).contains("\"state\":\"done\""),
                        () -> body(base + "api/transfers/" + id));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
                // Camel's meters for the YAML routes too, not only the web ones.
                String metrics = body(base + "observe/metrics");
                assertTrue(metrics.contains("routeId=\"ferry-transfers\""), metrics);

                HttpResponse<String> escape = post(base + "api/transfers",
                        "{\"remotePath\":\"/w/a.bin\",\"localPath\":\"../../etc/a.bin\"}");
                assertEquals(400, escape.statusCode(), escape.body());
                HttpResponse<String> broken = post(base + "api/transfers", "{\"remotePath\":");
                assertEquals(400, broken.statusCode(), broken.body());
                assertTrue(Files.notExists(tmp.resolve("etc")));
            }
        }
    }

    @Test
    void camelMetricsEnabledInTheConfigurationKeepsOneRegistryWithTheJvmRoutesAndFerry() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            // camel-main then sets up Camel's metrics service itself, without JVM binders unless told.
            harness.properties.put("camel.metrics.enabled", "true");
            try (FerryService service = harness.start()) {
                String metrics = body(service.webUrl() + "observe/metrics");
                assertTrue(metrics.contains("\njvm_threads_live_threads "), metrics);
                assertTrue(metrics.contains("\nferry_active_transfers "), metrics);
                assertTrue(metrics.contains("routeId=\"ferry-transfers\""), metrics);
                assertEquals(1, metrics.split("# TYPE jvm_threads_live_threads ", -1).length - 1, "one registry");
            }
        }
    }

    @Test
    void cancelThenResumeThroughTheApiEndsByteIdentical() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(256 << 10).start()) {
            Path remote = ftp.write("w/c.bin", 2L << 20, 10);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                String base = service.webUrl();
                HttpResponse<String> r = post(base + "api/transfers", "{\"remotePath\":\"/w/c.bin\",\"localPath\":"
                        + "\"w/c.bin\",\"options\":{\"segments\":2,\"minSegmentSize\":524288,\"checkpointBytes\":65536,"
                        + "\"checkpointMillis\":100}}");
                assertEquals(202, r.statusCode(), r.body());
                String id = new ObjectMapper().readTree(r.body()).get("id").asText();
                Await.until(WAIT, () -> bytesDone(base, id) >= 256 << 10, () -> body(base + "api/transfers/" + id));
                HttpResponse<String> cancel = post(base + "api/transfers/" + id + "/cancel", "");
                assertEquals(202, cancel.statusCode(), cancel.body());
                Await.until(WAIT, () -> body(base + "api/transfers/" + id).contains("\"state\":\"cancelled\""),
                        () -> body(base + "api/transfers/" + id));
                long kept = bytesDone(base, id);
                assertTrue(kept > 0 && kept < 2L << 20, "kept " + kept);

                HttpResponse<String> resume = post(base + "api/transfers/" + id + "/resume", "");
                assertEquals(202, resume.statusCode(), resume.body());
                Await.until(WAIT, () -> body(base + "api/transfers/" + id).contains("\"state\":\"done\""),
                        () -> body(base + "api/transfers/" + id));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(harness.downloads().resolve("w/c.bin")));
            }
        }
    }

    private long bytesDone(String base, String id) {
        try {
            return new ObjectMapper().readTree(body(base + "api/transfers/" + id)).path("bytesDone").asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void refusesToStartBoundBeyondLoopbackWithoutAToken() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.http.host", "0.0.0.0");
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    harness::start);
            assertTrue(e.getMessage().contains("ferry.http.token"), e.getMessage());
        }
    }

    private HttpResponse<String> post(String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
