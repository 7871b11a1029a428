package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.Direction;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PublishedTree;
import dev.ferry.tree.TreeRun;
import dev.ferry.tree.TreeState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same folder asked for again while its tree runs in the service: a second request file for it goes to .failed/
 * with a reason naming the tree and what to do, and POST /api/transfers answers 409; the first run is not disturbed
 * (each file read once, the tree whole, its request in .done/). One file's RETR is held until the test lets it go, so
 * the tree is running for certain when the second requests arrive.
 */
class ServiceTreeTwiceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HELD = "/twice/a/f0.bin";

    @TempDir
    Path tmp;

    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, Integer> retrieved = new ConcurrentHashMap<>();

    @Test
    void aFolderAskedForAgainWhileItsTreeRunsIsRefusedAndTheRunEndsWhole() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hold", new HoldOne()).start()) {
            for (int i = 0; i < 6; i++) {
                ftp.write("twice/" + (i % 2 == 0 ? "a" : "b") + "/f" + i + ".bin", 100_000 + i, 40 + i);
            }
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Path requests = harness.requestInbox();
            String json = "{\"server\":\"fixture\",\"remotePath\":\"/twice/\",\"localPath\":\"twice\"}";
            try (FerryService service = harness.start()) {
                Path out = harness.downloads().resolve("twice");
                String tree = TreeRun.idOf(Direction.DOWNLOAD, "fixture", "/twice", out.toAbsolutePath().normalize());
                try {
                    ServiceHarness.writeJson(requests, "first.json", json);
                    Await.until(WAIT, () -> retrieved.containsKey(HELD) && TreeState.running(tree) != null,
                            () -> "the tree did not start: " + ServiceHarness.list(requests));

                    ServiceHarness.writeJson(requests, "again.json", json);
                    Path reason = requests.resolve(".failed/again.json.error.txt");
                    Await.until(WAIT, () -> Files.exists(reason), () -> ServiceHarness.list(requests));
                    String why = ServiceHarness.read(reason);
                    assertTrue(why.contains(tree) && why.contains("already running") && why.contains("run it again"),
                            why);

                    HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(service.webUrl() + "api/transfers")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(409, posted.statusCode(), posted.body());
                    assertTrue(posted.body().contains(tree) && posted.body().contains("running"), posted.body());
                    assertTrue(service.ledger().treeOrders().pending(service.ledger().leases().nodeId()).isEmpty(),
                            "the refused POST left an order");
                    assertFalse(Files.exists(requests.resolve(".done/first.json")), "the tree ended while held");
                } finally {
                    release.countDown();
                }
                Await.until(WAIT, () -> Files.exists(requests.resolve(".done/first.json")),
                        () -> ServiceHarness.list(requests));
                assertEquals(PublishedTree.hashes(ftp.file("twice")), PublishedTree.hashes(out));
                for (Map.Entry<String, Integer> e : retrieved.entrySet()) {
                    assertEquals(1, e.getValue(), e.getKey() + " was read more than once: " + retrieved);
                }
                assertEquals(6, retrieved.size(), retrieved.toString());
            }
        }
    }

    /** Counts each file's RETR and holds the one of {@link #HELD} until the test releases it. */
    private final class HoldOne extends DefaultFtplet {
        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
            if ("RETR".equalsIgnoreCase(request.getCommand())) {
                retrieved.merge(request.getArgument(), 1, Integer::sum);
                if (HELD.equals(request.getArgument())) {
                    try {
                        release.await(2, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return FtpletResult.DEFAULT;
        }
    }
}
