package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
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
 * A ledger call the Camel pipeline makes itself, not the engine: the segment route's idempotent consumer asks the
 * ledger whether a segment is done. A hostile review cut PostgreSQL for a few seconds under three nodes, and a
 * queued transfer whose check failed so stayed in its node's engine as running for ever: "progress: 0%" every two
 * seconds, listed by the API as active here, and, its lease renewed with the node's others, never taken by the claim
 * loop or another node while the node lived. Here exactly that one call fails (its connection closed as a restarting
 * database closes it); the transfer must run again once the ledger answers.
 */
class PipelineLedgerCallFailsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_pipeline");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void aQueuedTransferWhoseSegmentCheckFailsRunsAgainInsteadOfHangingAsRunning() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            Path remote = ftp.write("incoming/p.bin", 400_000, 71);
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp);
            h.properties.put("ferry.ledger.url", schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
            h.properties.put("ferry.ledger.user", "postgres");
            h.properties.put("ferry.node-id", "node-1");
            h.properties.put("ferry.cluster.lease-seconds", "3");
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                db.closeOnceWhenSent("SELECT done FROM ferry_segment");
                String id = api.post("{\"remotePath\":\"p.bin\",\"localPath\":\"p.bin\",\"options\":{\"segments\":1}}");
                Await.until(WAIT, () -> db.closedWhenSent() == 1 && "PUBLISHED".equals(status(id)),
                        () -> "the check's connection closed " + db.closedWhenSent() + " time(s); row: "
                                + status(id) + "; API: " + api.get("api/transfers/" + id));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(h.downloads().resolve("p.bin")));
                assertFalse(service.engine().active().stream().anyMatch(t -> t.id().equals(id)),
                        "still running here after it was published");
            }
        }
    }

    private String status(String id) {
        String s = schema.statusAndOwner(id);
        return s.contains(" ") ? s.substring(0, s.indexOf(' ')) : s;
    }
}
