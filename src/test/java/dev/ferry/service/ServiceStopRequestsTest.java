package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service stopped with SIGTERM while request files run and wait for their turn, some of their downloads ending
 * just as the stop's time-out runs out: Camel then refuses the steps the exchange has left, outside the routes' error
 * handling, and the file consumer's moveFailed once put such a request in {@code .failed/} without a reason file,
 * though its transfer was accepted (and published, or resumed at the next start). None of them failed: each stays
 * in the inbox or is done, and after a restart every download is there, byte-identical, and every request file is
 * in {@code .done/}.
 */
class ServiceStopRequestsTest {
    private static final int REQUESTS = 40;
    private static final int AT_ONCE = 8;

    @TempDir
    Path tmp;

    @Test
    void requestsTheStopInterruptsAreNotFailed() throws Exception {
        // The server holds every RETR until the test lets them go: the first downloads wait through the stop's 2 s,
        // and end once Camel forces the routes down (its "Forcing" line), in the moment before the JVM exits.
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger held = new AtomicInteger();
        DefaultFtplet holdDownloads = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException,
                    IOException {
                if ("RETR".equalsIgnoreCase(request.getCommand()) && gate.getCount() > 0) {
                    held.incrementAndGet();
                    try {
                        gate.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.beforeCommand(session, request);
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLogins(4 * AT_ONCE)
                .ftplet("hold-downloads", holdDownloads).start()) {
            ServiceHarness harness = new ServiceHarness(tmp, ftp);
            harness.properties.put("ferry.inbox.read-lock-min-age", "200");
            harness.properties.put("ferry.servers.fixture.connection-limit", String.valueOf(AT_ONCE));
            harness.properties.put("ferry.inbox.parallel-transfers", String.valueOf(AT_ONCE));
            harness.properties.put("camel.main.shutdown-timeout", "2");
            harness.writeConfig();
            Map<String, String> sha = new LinkedHashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                sha.put("r-" + i, Hashes.sha256(ftp.write("pub/r-" + i + ".bin", (16 + i % 32) << 10, 7_000 + i)));
            }
            try (ForkedJvm first = harness.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                for (String name : sha.keySet()) {
                    ServiceHarness.writeJson(harness.requestInbox(), name + ".json", "{\"server\":\"fixture\","
                            + "\"remotePath\":\"/pub/" + name + ".bin\",\"localPath\":\"" + name + ".bin\"}");
                }
                for (int i = 0; i < REQUESTS; i++) {
                    first.awaitLine(l -> l.contains(" accepted: DOWNLOAD"), Duration.ofSeconds(30));
                }
                Await.until(Duration.ofSeconds(30), () -> held.get() > 0, () -> "no download held; log "
                        + first.logFile());
                Thread.sleep(500);
                first.sigterm();
                first.awaitLine(l -> l.contains("Forcing the routes to be shutdown now"), Duration.ofSeconds(30));
                gate.countDown();
                assertEquals(143, first.awaitExit(Duration.ofSeconds(60)), "exit code");
                assertEquals(List.of(), names(harness.requestInbox().resolve(".failed")), () -> "requests the stop"
                        + " interrupted are not failed; requests " + list(harness.requestInbox()) + "\n"
                        + reasons(harness) + tail(first));
                // Else this test tested nothing: no exchange was refused by the forced stop.
                assertTrue(first.output().stream().anyMatch(l -> l.contains("was stopped with the service")
                        || l.contains("as the service stopped")), () -> "a request the stop interrupted\n"
                        + tail(first));
            }
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                Await.until(Duration.ofSeconds(60), () -> sha.keySet().stream().allMatch(n ->
                                Files.exists(harness.requestInbox().resolve(".done/" + n + ".json"))),
                        () -> "every request done: requests " + list(harness.requestInbox()) + ", downloads "
                                + list(harness.downloads()) + "\n" + reasons(harness) + tail(last));
                for (Map.Entry<String, String> e : sha.entrySet()) {
                    assertEquals(e.getValue(), Hashes.sha256(harness.downloads().resolve(e.getKey() + ".bin")),
                            e.getKey());
                }
                assertEquals(List.of(), names(harness.requestInbox().resolve(".failed")), "nothing failed: "
                        + reasons(harness));
                assertEquals(List.of(), names(harness.requestInbox()).stream().filter(n -> n.endsWith(".json"))
                        .toList(), "no request left in the inbox");
            }
        }
    }

    /** The forked service's last lines (its log is in the temporary folder, deleted after the test). */
    private static String tail(ForkedJvm jvm) {
        List<String> lines = jvm.output();
        return "--- last lines of " + jvm.logFile().getFileName() + " ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /** The reason files in the request inbox's .failed/, with their text. */
    private static String reasons(ServiceHarness harness) {
        StringBuilder b = new StringBuilder();
        try {
            for (String n : names(harness.requestInbox().resolve(".failed"))) {
                if (n.endsWith(".error.txt")) {
                    b.append(n).append(": ").append(ServiceHarness.read(harness.requestInbox().resolve(".failed")
                            .resolve(n))).append('\n');
                }
            }
        } catch (IOException e) {
            b.append(e).append('\n');
        }
        return b.toString();
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
