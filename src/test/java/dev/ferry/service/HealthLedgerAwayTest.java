package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PartitionRelay;
import dev.ferry.testing.PostgresSchema;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a shared ledger a server's health probe takes a connection slot there before it logs in. With PostgreSQL
 * stalled the probe waited out the check's time, and a server that answered was reported DOWN "no answer within …"
 * beside the ledger (a review of several nodes under churn): the operator was sent to the wrong machine. It is not
 * probed then, and says why. Skipped without PostgreSQL at 127.0.0.1:5432, a failure with
 * {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class HealthLedgerAwayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_health_ledger");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void aServerIsNotBlamedForTheLedgerItsProbeWaitsFor() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp);
            h.properties.put("ferry.ledger.url", schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
            h.properties.put("ferry.ledger.user", "postgres");
            // Short: the slots' holder gives them up (and its idle sessions close) soon after the ledger goes.
            h.properties.put("ferry.cluster.lease-seconds", "3");
            h.properties.put("ferry.http.health-interval", "1");
            h.properties.put("ferry.http.health-timeout", "2");
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                Await.until(Duration.ofSeconds(30), () -> "UP".equals(status(check(health(api), "server:fixture"))),
                        () -> api.get("observe/health"));

                db.down();
                // Each read of the health waits up to 2 s for the nodes' list from the ledger (ObserveApi.nodes).
                Await.until(Duration.ofSeconds(60), () -> "DOWN".equals(status(check(health(api), "ledger"))),
                        () -> api.get("observe/health"));
                // Rounds enough for the probe to need a new slot: the idle session went with the lost slots.
                JsonNode server = null;
                for (int round = 0; round < 4; round++) {
                    Thread.sleep(1_000);
                    JsonNode health = health(api);
                    server = check(health, "server:fixture");
                    if ("DOWN".equals(status(check(health, "ledger")))) {
                        assertEquals("UP", status(server), "the server blamed for the ledger: " + server);
                    }
                }
                assertTrue(server.path("detail").asText().startsWith("not probed: the ledger does not answer"),
                        server.toString());
                db.heal();
            }
        }
    }

    private static JsonNode health(ApiClient api) {
        try {
            return JSON.readTree(api.get("observe/health"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }

    private static String status(JsonNode check) {
        return check.path("status").asText();
    }
}
