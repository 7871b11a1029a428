package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PartitionRelay;
import dev.ferry.testing.PostgresSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service told to stop while its PostgreSQL ledger does not answer stops in seconds. Its last writes (connection
 * slots given back, its heartbeat marked stopped) each waited the pool's 30 s: a minute and more, past a container's
 * grace before SIGKILL (30 s by default). They only tidy up what the leases free anyway, so each gets two seconds.
 * Nothing is lost by it: a download cut so resumes at the next start and arrives whole. Skipped without PostgreSQL at
 * 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class StopWithLedgerAwayTest {
    /** Under a container's 30 s grace; the stop's own waits on the ledger are 2 s each (slots, a renewal, the mark). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(25);

    @TempDir
    Path tmp;

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_stop_ledger");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void anIdleServiceStopsInSeconds() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            ServiceHarness h = harness(ftp, db, "idle");
            FerryService service = h.start();
            try {
                // The health probe's session holds a connection slot in the ledger.
                Await.until(Duration.ofSeconds(30), () -> ftp.loginCount() > 0, () -> "no login yet");
                db.down();
            } finally {
                long t0 = System.nanoTime();
                service.close();
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                db.heal();
                assertTrue(took.compareTo(STOP_BOUND) < 0, "the stop took " + took.toMillis() + " ms");
            }
        }
    }

    @Test
    void withTheLedgerThereTheStopGivesItsConnectionSlotsBack() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            try (FerryService service = harness(ftp, db, "there").start()) {
                Await.until(Duration.ofSeconds(30), () -> held() > 0, () -> "no connection slot held");
            }
            assertEquals(0, held(), "slots still held after the stop");
        }
    }

    private int held() {
        try (java.sql.Connection c = schema.connect();
             java.sql.ResultSet rs = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM ferry_slot WHERE owner IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aServiceStoppedMidDownloadStopsInSecondsAndTheFileArrivesAfterwards() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(1024 * 1024).start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            Path source = ftp.write("big.bin", 12L * 1024 * 1024, 7);
            ServiceHarness h = harness(ftp, db, "busy").writeConfig();
            Path target = h.downloads().resolve("big.bin");
            try (ForkedJvm first = h.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("Ferry is running"), Duration.ofSeconds(60));
                ServiceHarness.writeJson(h.requestInbox(), "big.json",
                        "{\"server\":\"fixture\",\"remotePath\":\"/big.bin\",\"localPath\":\"big.bin\"}");
                Await.until(Duration.ofSeconds(30), () -> ftp.bytesSent() > 2L * 1024 * 1024,
                        () -> "served " + ftp.bytesSent() + "\n" + String.join("\n", first.output()));
                db.down();
                long t0 = System.nanoTime();
                first.sigterm();
                first.awaitExit(Duration.ofSeconds(120));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertTrue(took.compareTo(STOP_BOUND) < 0, "the stop took " + took.toMillis() + " ms\n"
                        + String.join("\n", first.output()));
            }
            db.heal();
            assertTrue(Files.notExists(target), "nothing published by the stopped node");
            try (ForkedJvm second = h.fork(ftp, "second")) {
                Await.until(Duration.ofSeconds(90), () -> Files.exists(target),
                        () -> ServiceHarness.list(h.data) + "\n" + String.join("\n", second.output()));
                assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            }
        }
    }

    private ServiceHarness harness(FtpServerFixture ftp, PartitionRelay db, String name) {
        ServiceHarness h = new ServiceHarness(tmp.resolve(name), ftp);
        h.properties.put("ferry.ledger.url", schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
        h.properties.put("ferry.ledger.user", "postgres");
        return h;
    }
}
