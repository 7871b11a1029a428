package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.dropInto;
import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.Ferry;
import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 1: one configuration source. An override given as an environment variable, -D or a --ferry.x=
 * argument reaches the route (the folder polled, the queue consumed), the Java code (the inbox lock) and the banner
 * alike. FERRY_INBOX_UPLOAD once moved the route while the lock stayed in data/inbox/upload.
 */
class ServiceConfigSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aDashDAndAnArgumentReachTheRouteTheLockAndTheBanner() throws Exception {
        Path moved = tmp.resolve("elsewhere/drop");
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.inbox.read-lock-min-age", "100");
            harness.writeConfig();
            ByteArrayOutputStream banner = new ByteArrayOutputStream();
            System.setProperty("ferry.inbox.upload", moved.toString());
            try (FerryService service = FerryService.start(FerrySettings.load(harness.config,
                    FerrySettings.arguments("--ferry.queue.requests=seda:from-args")),
                    new PrintStream(banner, true, StandardCharsets.UTF_8))) {
                List<String> consumed = service.camelContext().getRoutes().stream().map(Route::getEndpoint)
                        .map(e -> e.getEndpointUri()).toList();
                assertTrue(consumed.stream().anyMatch(u -> u.startsWith("file://" + moved)), consumed.toString());
                assertTrue(consumed.contains("seda://from-args"), consumed.toString());
                assertEquals(moved, service.settings().uploadInbox());
                assertEquals("seda:from-args", service.settings().get("ferry.queue.requests"));
                assertTrue(Files.exists(moved.resolve(InboxLocks.LOCK_FILE)), "the lock is where the route polls");
                assertFalse(Files.exists(harness.uploadInbox().resolve(InboxLocks.LOCK_FILE)), list(harness.data));
                String text = banner.toString(StandardCharsets.UTF_8);
                assertTrue(text.contains("drop files into     " + moved + "\n"), text);
                assertTrue(text.contains("or send it to        seda:from-args\n"), text);

                uploadsFrom(moved, ftp, 1);
            }
        } finally {
            System.clearProperty("ferry.inbox.upload");
        }
    }

    /** One fork: the environment and the command line are the service's own (Ferry.main). */
    @Test
    void anEnvironmentVariableAndAnArgumentReachTheForkedServiceAlike() throws Exception {
        Path moved = tmp.resolve("env-inbox");
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.inbox.read-lock-min-age", "100");
            harness.writeConfig();
            try (ForkedJvm jvm = ForkedJvm.builder(Ferry.class)
                    .systemProperty("ferry.config", harness.config.toString())
                    .env("FERRY_SERVERS_FIXTURE_PASSWORD", ftp.password())
                    .env("FERRY_INBOX_UPLOAD", moved.toString())
                    .arg("--ferry.queue.requests=seda:from-args")
                    .jvmArg("-Xmx256m")
                    .logFile(tmp.resolve("fork.log"))
                    .start()) {
                jvm.awaitLine(l -> l.endsWith("drop files into     " + moved), WAIT);
                jvm.awaitLine(l -> l.endsWith("or send it to        seda:from-args"), WAIT);
                assertTrue(Files.exists(moved.resolve(InboxLocks.LOCK_FILE)), "the lock is where the route polls");
                assertFalse(Files.exists(harness.uploadInbox().resolve(InboxLocks.LOCK_FILE)), list(harness.data));
                uploadsFrom(moved, ftp, 2);
            }
        }
    }

    private void uploadsFrom(Path inbox, FtpServerFixture ftp, long seed) {
        Path staged = PseudoRandomContent.write(tmp.resolve("staging-" + seed + "/a" + seed + ".bin"), 200_000, seed);
        String sha = Hashes.sha256(staged);
        dropInto(inbox, staged);
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/a" + seed + ".bin")), () -> "inbox: " + list(inbox));
        assertEquals(sha, Hashes.sha256(ftp.file("incoming/a" + seed + ".bin")), "the server's copy");
    }
}
