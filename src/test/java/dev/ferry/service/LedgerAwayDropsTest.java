package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PartitionRelay;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drops made while the ledger cannot be reached went to .failed/ with "put the file into the inbox again once the
 * database answers" -- a person had to move each back -- and a drop published just as the ledger went away was filed
 * as failed though the server had it. They wait in the inbox now and are sent (or found sent) once it answers.
 * Skipped without PostgreSQL at 127.0.0.1:5432, a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class LedgerAwayDropsTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    private PostgresSchema schema;

    @BeforeEach
    void createSchema() {
        schema = PostgresSchema.create("ferry_ledger_away");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void dropsMadeWhileTheLedgerIsAwayWaitInTheInboxAndAreSentOnceItAnswers() throws Exception {
        // A lease longer than the outage: the node keeps its claims throughout. The pool gives up on a connection
        // after 30 s, so each drop is tried and refused by the ledger at least once.
        dropsDuringAnOutage(60, 40_000);
    }

    /**
     * An outage longer than the node's lease: it gives its claims up (another node may take them), then claims them
     * back once the ledger answers. The drops went to .failed/ saying another node owned their transfers.
     */
    @Test
    void dropsOfANodeWhoseLedgerWasAwayLongerThanItsLeaseAreSentOnceItAnswers() throws Exception {
        dropsDuringAnOutage(3, 12_000);
    }

    /**
     * An outage longer than the lease while a drop's upload runs: the node stops it (another node may take it over),
     * then claims it back once the ledger answers and finishes it.
     */
    @Test
    void anUploadUnderWayWhenTheLedgerGoesAwayForLongerThanItsLeaseFinishes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(1 << 20).start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp);
            h.properties.put("ferry.ledger.url", schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
            h.properties.put("ferry.ledger.user", "postgres");
            h.properties.put("ferry.cluster.lease-seconds", "3");
            try (FerryService service = h.start()) {
                Path inbox = Files.createDirectories(h.uploadInbox());
                Path drop = ServiceHarness.dropInto(inbox, PseudoRandomContent.write(tmp.resolve("staging/big.bin"),
                        24 << 20, 7));
                String sha = Hashes.sha256(drop);
                Await.until(WAIT, () -> !service.ledger().unfinished().isEmpty(), () -> "not accepted: " + list(inbox));
                Thread.sleep(2_000); // under way: one connection at 1 MiB/s, for about 24 s
                assertFalse(Files.exists(ftp.file("incoming/big.bin")), "published before the ledger went away");
                db.down();
                Thread.sleep(6_000); // twice the lease: the node gives its claim up after 2 s
                assertFalse(Files.exists(inbox.resolve(".failed")), "failed while the ledger was away: "
                        + list(inbox.resolve(".failed")));
                db.heal();
                Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/big.bin")),
                        () -> "not done once the ledger answered: " + list(inbox));
                assertEquals(sha, Hashes.sha256(inbox.resolve(".done/big.bin")));
                assertEquals(sha, Hashes.sha256(ftp.file("incoming/big.bin")));
                assertFalse(Files.exists(inbox.resolve(".failed")), list(inbox.resolve(".failed")));
            }
        }
    }

    private void dropsDuringAnOutage(int leaseSeconds, long outageMillis) throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp);
            h.properties.put("ferry.ledger.url", schema.url("jdbc:postgresql://127.0.0.1:" + db.port() + "/test"));
            h.properties.put("ferry.ledger.user", "postgres");
            h.properties.put("ferry.cluster.lease-seconds", String.valueOf(leaseSeconds));
            try (FerryService service = h.start()) {
                Path inbox = Files.createDirectories(h.uploadInbox());
                db.down();
                Map<String, String> sent = new LinkedHashMap<>();
                // Two small drops (the batch lanes) and one past ferry.inbox.batch-max-bytes (accept and pipeline).
                for (String name : new String[] {"a.bin", "b.bin", "large.bin"}) {
                    int size = name.startsWith("large") ? 3 << 20 : 50_000;
                    Path drop = ServiceHarness.dropInto(inbox, PseudoRandomContent.write(tmp.resolve("staging/" + name),
                            size, name.hashCode()));
                    sent.put(name, Hashes.sha256(drop));
                }
                Thread.sleep(outageMillis);
                assertFalse(Files.exists(inbox.resolve(".failed")), "failed while the ledger was away: "
                        + list(inbox.resolve(".failed")));
                db.heal();
                Await.until(WAIT, () -> sent.keySet().stream().allMatch(n -> Files.exists(inbox.resolve(".done/" + n))),
                        () -> "not done once the ledger answered: " + list(inbox));
                for (Map.Entry<String, String> e : sent.entrySet()) {
                    assertEquals(e.getValue(), Hashes.sha256(inbox.resolve(".done/" + e.getKey())), e.getKey());
                    assertEquals(e.getValue(), Hashes.sha256(ftp.file("incoming/" + e.getKey())), e.getKey());
                }
                assertFalse(Files.exists(inbox.resolve(".failed")), list(inbox.resolve(".failed")));
            }
        }
    }
}
