package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests from a queue, and transfers the ledger holds as unfinished at start-up. */
class ServiceRecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void queuedRequestDownloads() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/b.bin", 5L << 20, 5);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests",
                        "{\"remotePath\":\"/q/b.bin\",\"localPath\":\"q/b.bin\"}");
                Path local = harness.downloads().resolve("q/b.bin");
                Await.until(WAIT, () -> Files.exists(local), () -> "downloads: " + list(harness.downloads()));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
            }
        }
    }

    @Test
    void acceptedButUnfinishedTransferRunsAtTheNextStart() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("r/c.bin", 12L << 20, 6);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Path local = harness.downloads().resolve("c.bin");
            String id;
            try (FerryService first = harness.start()) {
                // As a queue consumer does before it acknowledges a message; then the process goes away.
                id = first.engine().accept(new TransferRequest(Direction.DOWNLOAD, "fixture", "/r/c.bin",
                        local.toString(), TransferOptions.none())).id();
            }
            try (FerryService second = harness.start()) {
                assertEquals(1, second.recovered());
                Await.until(WAIT, () -> second.ledger().find(id).map(r -> r.status() == TransferStatus.PUBLISHED)
                        .orElse(false), () -> "ledger: " + second.ledger().find(id));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
            }
        }
    }
}
