package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service stopped in-process (an application embedding it, a test) while a transfer it sent itself (the API,
 * recovery, an accepted queued request) waits for its server: the stop parked that transfer's thread until the JVM
 * exited, and Camel waits for every exchange its seda consumer took, so close() never returned (a review of the
 * service over time; CI hung in ServiceTransfersTest so). The transfer stays unfinished in the ledger for the next
 * start.
 */
class ServiceStopQueuedTest {
    @TempDir
    Path tmp;

    @Test
    void aStopWithAQueuedTransferWaitingForItsServerReturns() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp);
            h.properties.put("ferry.servers.gone.host", "127.0.0.1");
            h.properties.put("ferry.servers.gone.port", String.valueOf(closedPort()));
            h.properties.put("ferry.servers.gone.user", "nobody");
            h.properties.put("ferry.servers.gone.outage-wait", "3600");
            h.secrets.put("ferry.servers.gone.password", "pw");
            FerryService service = h.start();
            CompletableFuture<Void> closed;
            try {
                service.camelContext().createProducerTemplate().sendBody(
                        "seda:ferry-transfers?waitForTaskToComplete=Never",
                        "{\"server\":\"gone\",\"remotePath\":\"/x.bin\",\"localPath\":\"x.bin\"}");
                Await.until(Duration.ofSeconds(30), () -> !service.ledger().unfinished().isEmpty(),
                        () -> "not accepted");
                Thread.sleep(1_500); // waiting for its server, on the seda consumer's thread
            } finally {
                closed = CompletableFuture.runAsync(service::close);
            }
            closed.get(90, TimeUnit.SECONDS); // it never returned
            try (JdbcLedger ledger = JdbcLedger.h2(h.data)) {
                List<TransferRecord> left = ledger.unfinished();
                assertEquals(1, left.size(), left.toString());
                assertTrue(left.get(0).remotePath().endsWith("/x.bin"), left.toString());
            }
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
