package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static dev.ferry.service.ServiceHarness.writeJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that adapt in the service (#16.3): a download request with default options goes through the Camel split
 * (routes/segment-pipeline.yaml) and, against a server that limits each connection, grows past the planned segments,
 * with no connection-limit configured for the server.
 */
class ServiceAdaptiveTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aRequestWithDefaultOptionsGrowsPastItsPlannedSegmentsAndPublishesTheSameBytes() throws Exception {
        // 1 MiB/s per connection: each added connection raises the total rate in full.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).maxLogins(32).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            // The server's cap as an operator who set none would have it.
            harness.properties.remove("ferry.servers.fixture.connection-limit");
            // 32 MiB at the default 8 MiB minimum segment: planned as 4 segments.
            Path remote = ftp.write("reports/wide.bin", 32 * MIB, 21);
            try (FerryService service = harness.start()) {
                ftp.resetCounters();
                writeJson(harness.requestInbox(), "wide.json",
                        "{\"server\":\"fixture\",\"remotePath\":\"/reports/wide.bin\",\"localPath\":\"wide.bin\"}");
                Path local = harness.downloads().resolve("wide.bin");
                Await.until(Duration.ofSeconds(120),
                        () -> Files.exists(harness.requestInbox().resolve(".done/wide.json"))
                                || Files.exists(harness.requestInbox().resolve(".failed/wide.json")),
                        () -> "requests: " + list(harness.requestInbox()) + ", downloads: " + list(harness.downloads()));
                assertTrue(Files.exists(harness.requestInbox().resolve(".done/wide.json")),
                        "requests: " + list(harness.requestInbox()));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
                assertTrue(ftp.maxConcurrentSessions() > 4,
                        "connections at once: " + ftp.maxConcurrentSessions() + " (planned 4)");
                assertTrue(ftp.maxConcurrentSessions() <= 16, "past ferry.segments.max: " + ftp.maxConcurrentSessions());
            }
        }
    }
}
