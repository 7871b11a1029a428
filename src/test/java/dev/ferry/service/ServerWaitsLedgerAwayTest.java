package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PartitionRelay;
import dev.ferry.testing.PostgresSchema;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers waiting aside for an FTP server that cannot be reached, on a PostgreSQL ledger that goes away for a
 * moment (a network outage takes both, a database restart). The server's probe takes a connection slot from the
 * ledger before it logs in; the ledger not answering read as the FTP server answering, so every waiting transfer was
 * sent back into the queue, where its run failed at its first ledger call. Nothing ran it again: this node kept
 * renewing its lease, the claim loop leaves held transfers alone, and a resume was refused ("on this node already"),
 * so they stayed unfinished until the process restarted (a review of ServerWaits from outside).
 * Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class ServerWaitsLedgerAwayTest {

    @TempDir
    Path tmp;

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_waits_ledger");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void transfersWaitingForTheirServerOutliveALedgerOutageAndRunWhenBothAnswer() throws Exception {
        int gonePort;
        try (ServerSocket s = new ServerSocket(0)) {
            gonePort = s.getLocalPort();
        }
        try (PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), "127.0.0.1", gonePort, "nobody", "pw");
            h.properties.put("ferry.ledger.url", schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
            h.properties.put("ferry.ledger.user", "postgres");
            // Longer than the ledger's outage below: the node keeps its claims throughout (no self-fencing).
            h.properties.put("ferry.cluster.lease-seconds", "240");
            h.properties.put("ferry.servers.fixture.outage-wait", "600");
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    ids.add(api.post("{\"remotePath\":\"w" + i + ".bin\",\"localPath\":\"w" + i + ".bin\"}"));
                }
                Await.until(Duration.ofSeconds(60), () -> service.engine().serverWaits().size() == 3,
                        () -> "not waiting: " + api.get("api/transfers"));

                db.down();
                // The FTP server is still away: a probe that could not take a connection slot (it waits up to the
                // ledger pool's 30 s for one) has not heard the server.
                Thread.sleep(40_000);
                assertEquals(3, service.engine().serverWaits().size(),
                        "sent back to the queue while their server was still away");

                try (FtpServerFixture back = FtpServerFixture.builder().port(gonePort).user("nobody", "pw").start()) {
                    List<Path> sources = new ArrayList<>();
                    for (int i = 1; i <= 3; i++) {
                        sources.add(back.write("incoming/w" + i + ".bin", (512L << 10) + i, 40 + i));
                    }
                    // The server is back while the ledger is still away: a run sent now fails at its first ledger
                    // call (after the pool's 30 s), and must run again once the ledger answers.
                    Thread.sleep(40_000);
                    db.heal();
                    Await.until(Duration.ofSeconds(120), () -> ids.stream().allMatch(id -> "done".equals(
                            api.state(id))), () -> "not run once the server and the ledger answered: "
                            + api.get("api/transfers"));
                    for (int i = 1; i <= 3; i++) {
                        assertEquals(Hashes.sha256(sources.get(i - 1)),
                                Hashes.sha256(h.downloads().resolve("w" + i + ".bin")));
                    }
                }
            }
        }
    }

}
