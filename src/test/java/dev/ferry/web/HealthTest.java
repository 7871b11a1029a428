package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.testing.Await;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PartitionRelay;
import dev.ferry.testing.PostgresSchema;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /observe/health: checked in the background, ledger and every server, with the time of each check. */
class HealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    WebFixture w;

    @AfterEach
    void stop() {
        if (w != null) {
            w.close();
        }
    }

    private JsonNode health() {
        try {
            return JSON.readTree(w.get("/observe/health").body());
        } catch (Exception e) {
            throw new AssertionError(e);
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

    @Test
    void upWhenTheLedgerAndEveryServerAnswerAndCheckedInTheBackgroundNotPerRequest() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(),
                s -> s.withHealthInterval(Duration.ofSeconds(60)));
        Await.until(Duration.ofSeconds(10), () -> health().get("checkedAt").isTextual(), () -> health().toString());
        var r = w.get("/observe/health");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode h = JSON.readTree(r.body());
        assertEquals("UP", h.get("status").asText());
        assertEquals("UP", check(h, "ledger").get("status").asText());
        JsonNode server = check(h, "server:test");
        assertEquals("UP", server.get("status").asText(), server.toString());
        assertTrue(server.get("detail").asText().startsWith("logged in at 127.0.0.1:"), server.toString());
        String checkedAt = server.get("checkedAt").asText();
        int logins = w.ftp.loginCount();
        for (int i = 0; i < 5; i++) {
            assertEquals(checkedAt, check(health(), "server:test").get("checkedAt").asText());
        }
        assertEquals(logins, w.ftp.loginCount(), "requests only read the last result");
        assertEquals(200, w.get("/observe/health/live").statusCode());
        assertEquals(200, w.get("/observe/health/ready").statusCode());
    }

    @Test
    void notReadyWhileAServerCannotBeReachedOrTheLedgerIsGone() throws Exception {
        ServerProfile dead = ServerProfile.builder("dead").host("127.0.0.1").port(WebFixture.freePort())
                .connectTimeout(Duration.ofSeconds(2)).build();
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s, dead);
        Await.until(Duration.ofSeconds(10), () -> health().get("checkedAt").isTextual(), () -> health().toString());
        var r = w.get("/observe/health");
        assertEquals(503, r.statusCode(), r.body());
        JsonNode h = JSON.readTree(r.body());
        assertEquals("DOWN", h.get("ready").asText());
        assertEquals("UP", h.get("live").asText());
        assertEquals("UP", check(h, "server:test").get("status").asText());
        JsonNode down = check(h, "server:dead");
        assertEquals("DOWN", down.get("status").asText());
        assertTrue(down.get("detail").asText().startsWith("cannot reach dead"), down.toString());
        assertEquals(503, w.get("/observe/health/ready").statusCode());
        assertEquals(200, w.get("/observe/health/live").statusCode(), "alive, just not ready");
        assertEquals(0, TransferApiTest.value(w.get("/observe/metrics").body(), "ferry_health_up{check=\"server:dead\"}"));

        w.ledger.close();
        Await.until(Duration.ofSeconds(10), () -> check(health(), "ledger").get("status").asText().equals("DOWN"),
                () -> health().toString());
    }

    /**
     * The password is never shown in a check's words, and not given away either: masked inside every word, a password
     * of one letter showed itself ("cannot r****ach d****ad ...": it is "e").
     */
    @Test
    void aShortPasswordIsNotMaskedInsideWords() throws Exception {
        ServerProfile dead = ServerProfile.builder("dead").host("127.0.0.1").port(WebFixture.freePort()).user("u")
                .password("e").connectTimeout(Duration.ofSeconds(2)).build();
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s, dead);
        Await.until(Duration.ofSeconds(10), () -> health().get("checkedAt").isTextual(), () -> health().toString());
        String detail = check(health(), "server:dead").get("detail").asText();
        assertTrue(detail.startsWith("cannot reach dead") && detail.contains("refused"), detail);
        assertTrue(!detail.contains("****"), detail);
    }

    private int status(String path) {
        try {
            return w.get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Camel's readiness checks by id, as Camel's registry reports them (not through Ferry's JSON). */
    private Map<String, HealthCheck.State> camelReadiness() {
        return HealthCheckHelper.invokeReadiness(w.camel, "full").stream()
                .collect(Collectors.toMap(r -> r.getCheck().getId(), HealthCheck.Result::getState));
    }

    @Test
    void ferrysChecksAreInCamelsRegistryAndTurnDownWhenPostgresqlGoesAway() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("health");
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            HikariConfig cfg = new HikariConfig();
            cfg.setJdbcUrl(schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
            cfg.setUsername("postgres");
            cfg.setMaximumPoolSize(4);
            // When PostgreSQL is gone, fail in a second rather than the pool's default 30 s.
            cfg.setConnectionTimeout(1000);
            cfg.setMinimumIdle(0);
            try (HikariDataSource ds = new HikariDataSource(cfg)) {
                w = new WebFixture(JdbcLedger.open(ds), FtpServerFixture.builder().start(), s -> s);
                Await.until(Duration.ofSeconds(10), () -> status("/observe/health") == 200,
                        () -> health().toString());
                Map<String, HealthCheck.State> camel = camelReadiness();
                assertEquals(HealthCheck.State.UP, camel.get("ledger"), camel.toString());
                assertEquals(HealthCheck.State.UP, camel.get("server:test"), camel.toString());
                JsonNode up = health();
                assertEquals("ferry", check(up, "ledger").get("group").asText(), up.toString());
                assertEquals("READINESS", check(up, "server:test").get("kind").asText(), up.toString());
                assertEquals("LIVENESS", check(up, "ferry-health-rounds").get("kind").asText(), up.toString());
                assertTrue(up.get("nodes").isArray() && up.get("nodes").size() == 1, "nodes still shown: " + up);

                db.close(); // PostgreSQL goes away: every connection through the relay is closed, new ones refused
                Await.until(Duration.ofSeconds(10), () -> camelReadiness().get("ledger") == HealthCheck.State.DOWN,
                        () -> camelReadiness().toString());
                var r = w.get("/observe/health");
                assertEquals(503, r.statusCode(), r.body());
                JsonNode down = JSON.readTree(r.body());
                assertEquals("DOWN", down.get("status").asText());
                assertEquals("DOWN", check(down, "ledger").get("status").asText(), down.toString());
                assertEquals("UP", check(down, "server:test").get("status").asText(), down.toString());
                assertEquals(503, w.get("/observe/health/ready").statusCode());
                assertEquals(200, w.get("/observe/health/live").statusCode(), "alive, just not ready");
                assertEquals(0, TransferApiTest.value(w.get("/observe/metrics").body(),
                        "ferry_health_up{check=\"ledger\"}"));
            } finally {
                if (w != null) {
                    w.close();
                    w = null;
                }
            }
        }
    }
    /**
     * A hostile review: an H2 ledger whose disk filled up closes on the first write and opens again for the next read,
     * so the check (one read) said UP, readiness 200, while POST /api/transfers answered 503 "the database has been
     * closed" and every drop waited. A ledger that answers reads but takes no writes is DOWN (readiness); liveness
     * stays UP, since a restart would not free the disk and the ledger opens again by itself once it can. The
     * database here refuses every write through a trigger, as a full disk or a read-only database refuses them.
     */
    @Test
    void aLedgerThatAnswersReadsButTakesNoWritesIsNotReadyYetStillAlive() throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:h2:" + tmp.resolve("ledger") + ";DB_CLOSE_ON_EXIT=FALSE");
        cfg.setMaximumPoolSize(8);
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            w = new WebFixture(JdbcLedger.open(ds), FtpServerFixture.builder().start(), s -> s);
            // A short lease: the heartbeat is written every second, and counts as stale after two.
            w.ledger.leases().configure(w.ledger.leases().nodeId(), 3);
            Await.until(Duration.ofSeconds(20), () -> status("/observe/health/ready") == 200,
                    () -> health().toString());
            String[] tables = {"ferry_node", "ferry_transfer"};
            try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
                for (String t : tables) {
                    st.execute("CREATE TRIGGER refuse_" + t + " BEFORE INSERT, UPDATE, DELETE ON " + t
                            + " FOR EACH ROW CALL '" + WritesRefused.class.getName() + "'");
                }
            }
            Await.until(Duration.ofSeconds(30), () -> check(health(), "ledger").get("status").asText().equals("DOWN"),
                    () -> health().toString());
            JsonNode ledger = check(health(), "ledger");
            assertTrue(ledger.get("detail").asText().contains("takes no writes")
                    && ledger.get("detail").asText().contains(WritesRefused.WORDS), ledger.toString());
            assertEquals(503, w.get("/observe/health/ready").statusCode());
            assertEquals(200, w.get("/observe/health/live").statusCode(), "a restart would not bring the writes back");
            var refused = w.post("/api/transfers", "{\"direction\":\"DOWNLOAD\",\"server\":\"test\","
                    + "\"remotePath\":\"/a.bin\",\"localPath\":\"" + tmp.resolve("a.bin") + "\"}");
            assertEquals(503, refused.statusCode(), refused.body());

            try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
                for (String t : tables) {
                    st.execute("DROP TRIGGER refuse_" + t);
                }
            }
            Await.until(Duration.ofSeconds(30), () -> status("/observe/health/ready") == 200,
                    () -> health().toString());
            assertEquals("UP", check(health(), "ledger").get("status").asText());
        } finally {
            if (w != null) {
                w.close();
                w = null;
            }
        }
    }

    /**
     * A hostile review: with the ledger stalled (PostgreSQL behind a relay that stopped passing packets), every API
     * call waited on it for the pool's 30 s, each on one of the HTTP server's 20 worker threads; 40 such calls (a few
     * status pages and scripts) took them all, and /observe/health/live went unanswered for 50 s: a liveness probe
     * would restart a process whose restart cannot bring the ledger back. Calls that may wait on the ledger now hold
     * at most part of the workers, the rest of them are refused at once (503), and the probes are answered.
     */
    @Test
    void livenessIsAnsweredWhileApiCallsWaitOnAStalledLedger() throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:h2:" + tmp.resolve("ledger") + ";DB_CLOSE_ON_EXIT=FALSE");
        cfg.setMaximumPoolSize(8);
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            w = new WebFixture(JdbcLedger.open(ds), FtpServerFixture.builder().start(), s -> s);
            Await.until(Duration.ofSeconds(20), () -> status("/observe/health/live") == 200,
                    () -> health().toString());
            java.util.List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> calls =
                    new java.util.ArrayList<>();
            try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
                // Exclusive mode: every other session's statement waits until it ends, as on a stalled link.
                st.execute("SET EXCLUSIVE 1");
                for (int i = 0; i < 60; i++) {
                    calls.add(w.http.sendAsync(w.request("/api/transfers").timeout(Duration.ofMinutes(5)).GET().build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()));
                }
                // The calls beyond the workers' share are refused at once; before, they queued behind the others.
                Await.until(Duration.ofSeconds(60), () -> calls.stream().anyMatch(f -> f.isDone()
                        && f.join().statusCode() == 503 && f.join().body().contains("waiting for the ledger")),
                        () -> "no API call was refused while the others wait");
                var live = w.get("/observe/health/live");
                assertEquals(200, live.statusCode(), live.body());
                st.execute("SET EXCLUSIVE 0");
            }
            for (var f : calls) {
                int code = f.get(2, java.util.concurrent.TimeUnit.MINUTES).statusCode();
                assertTrue(code == 200 || code == 503, "answered once the ledger is back: " + code);
            }
            assertEquals(200, w.get("/api/transfers").statusCode());
        } finally {
            if (w != null) {
                w.close();
                w = null;
            }
        }
    }

    /** A database that takes no write: every row change is refused, in the words of a full disk. */
    public static final class WritesRefused implements org.h2.api.Trigger {
        static final String WORDS = "No space left on device";

        @Override
        public void fire(java.sql.Connection c, Object[] oldRow, Object[] newRow) throws java.sql.SQLException {
            throw new java.sql.SQLException(WORDS);
        }
    }
}
