package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ledger.TreeListings;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A folder posted to the API whose run finds its tree running already (a request file for the same folder took it
 * first) is not forgotten: it waits, and runs once that run has ended, fetching the files the request file did not
 * ask for.
 */
class ServiceTreeWaitTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final CountDownLatch busyListed = new CountDownLatch(1);
    private final CountDownLatch busyGate = new CountDownLatch(1);
    private final CountDownLatch fileListed = new CountDownLatch(1);
    private final CountDownLatch fileGate = new CountDownLatch(1);
    private final AtomicBoolean fileHeld = new AtomicBoolean();

    @TempDir
    Path tmp;

    @Test
    void aPostedFolderWhoseTreeARequestFileRunsRunsAfterIt() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hold", new Hold()).start()) {
            ftp.write("busy/x.bin", 1000, 9);
            for (int i = 0; i < 4; i++) {
                ftp.write("t/d0" + i + "/f.bin", 2000 + i, i);
            }
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            // One tree at a time from the queue: the posted folder waits behind another one until the test lets it go.
            harness.properties.put("ferry.inbox.parallel-transfers", "1");
            harness.properties.put("ferry.inbox.read-lock-min-age", "100");
            try (FerryService service = harness.start()) {
                String base = service.webUrl();
                assertEquals(202, post(base + "api/transfers", "{\"remotePath\":\"/busy/\",\"localPath\":\"busy\"}")
                        .statusCode());
                assertTrue(busyListed.await(60, TimeUnit.SECONDS), "the first folder never listed");
                HttpResponse<String> posted = post(base + "api/transfers",
                        "{\"remotePath\":\"/t/\",\"localPath\":\"t\"}");
                assertEquals(202, posted.statusCode(), posted.body());
                String id = JSON.readTree(posted.body()).get("id").asText();

                // A request file for the same folder, for one of its folders only, runs first.
                ServiceHarness.writeJson(harness.requestInbox(), "t.json",
                        "{\"remotePath\":\"/t/\",\"localPath\":\"t\",\"include\":\"d00/*\"}");
                assertTrue(fileListed.await(60, TimeUnit.SECONDS), "the request file's tree never listed");
                busyGate.countDown();
                // The posted folder's turn: its tree runs already.
                Await.until(WAIT, () -> lines(log).stream().anyMatch(l -> l.contains(id) && l.contains("already running")),
                        () -> String.join("\n", lines(log)));
                fileGate.countDown();
                Await.until(WAIT, () -> Files.exists(harness.requestInbox().resolve(".done/t.json")),
                        () -> String.join("\n", lines(log)));

                Path local = harness.downloads().resolve("t");
                Await.until(WAIT, () -> service.ledger().treeOrders().get(id) == null
                                && TreeListings.DONE.equals(service.ledger().treeListings().get(id).status())
                                && Files.exists(local.resolve("d03/f.bin")),
                        () -> "files: " + list(local) + "\n" + String.join("\n", lines(log)));
                assertEquals(ServiceTreeSubmitTest.hashes(ftp.file("t")), ServiceTreeSubmitTest.hashes(local));
            }
        } finally {
            busyGate.countDown();
            fileGate.countDown();
            root.detachAppender(log);
        }
    }

    private static List<String> lines(ListAppender<ILoggingEvent> log) {
        synchronized (log.list) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static String list(Path dir) {
        try (var s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).toList().toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private HttpResponse<String> post(String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Holds the first listing of /busy, and the first of /t (the request file's), until the test lets them go. */
    private final class Hold extends DefaultFtplet {
        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
            String command = request.getCommand().toUpperCase(java.util.Locale.ROOT);
            String argument = String.valueOf(request.getArgument());
            if (command.equals("LIST") || command.equals("MLSD") || command.equals("NLST")) {
                try {
                    if (argument.contains("/busy")) {
                        busyListed.countDown();
                        busyGate.await(60, TimeUnit.SECONDS);
                    } else if (argument.startsWith("/t") && fileHeld.compareAndSet(false, true)) {
                        fileListed.countDown();
                        fileGate.await(60, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FtpletResult.DEFAULT;
        }
    }
}
