package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PostgresSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: the database ending a node's sessions (a restart, a failover, pg_terminate_backend) failed the
 * transfers running there for good, one at 99.9 %, since a checkpoint's failed write ended its segment. A checkpoint
 * that lost its connection is retried on a new one, and the transfer goes on.
 */
class LedgerConnectionLostTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aTransferWhoseLedgerSessionsAreEndedGoesOnAndPublishes() throws Exception {
        String app = "ferry-lost-" + UUID.randomUUID().toString().substring(0, 8);
        try (PostgresSchema schema = PostgresSchema.create("lostconn");
             FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(JdbcLedger.open(schema.url() + "&ApplicationName=" + app,
                     "postgres", ""), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("lost.bin", 6 * MIB, 91);
            TransferRequest request = h.download("/lost.bin", tmp.resolve("lost.bin"),
                    TransferOptions.none().withSegments(2).withCheckpointBytes(128 * 1024));
            CompletableFuture<TransferResult> run = h.runAsync(request);
            int ended = 0;
            for (int i = 0; i < 6 && !run.isDone(); i++) {
                Thread.sleep(400);
                ended += endSessions(app);
            }
            TransferResult r = run.get(60, TimeUnit.SECONDS);
            assertTrue(ended > 0, "no ledger session was ended");
            assertEquals(Hashes.sha256(source), Hashes.sha256(tmp.resolve("lost.bin")));
            assertEquals(TransferStatus.PUBLISHED, h.ledger.find(request.id()).orElseThrow().status());
            assertTrue(r.bytesMoved() < 7L * MIB, "sent " + r.bytesMoved() + " bytes for 6 MiB: " + h.events);
        }
    }

    /** Ends every database session of the ledger's pool, as pg_terminate_backend does; how many. */
    private static int endSessions(String app) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresSchema.SERVER, "postgres", "");
             PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     + " WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, app);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        }
    }
}
