package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18 in the service: a request file naming a folder downloads the tree; run again, it moves nothing. */
class ServiceTreeRequestTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static FerryService service;
    static ServiceHarness harness;

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().start();
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        harness.properties.put("ferry.inbox.read-lock-min-age", "100");
        service = harness.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (ftp != null) {
            ftp.close();
        }
    }

    private static void request(String name, String json) throws IOException {
        Path requests = harness.requestInbox();
        Files.createDirectories(requests);
        Path hidden = requests.resolve("." + name);
        Files.writeString(hidden, json, StandardCharsets.UTF_8);
        Files.move(hidden, requests.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> m.put(root.relativize(f).toString(), Hashes.sha256(f)));
        }
        return m;
    }

    private static String list(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aFolderRequestDownloadsTheTreeAndASecondMovesNothing() throws Exception {
        ftp.write("reports/a.bin", 10_000, 1);
        ftp.write("reports/q1/b.bin", 0, 2);
        ftp.write("reports/q1/deep/c.bin", 1 << 20, 3);
        Path requests = harness.requestInbox();

        request("tree.json", "{\"remotePath\":\"/reports/\",\"localPath\":\"reports\"}");
        Await.until(WAIT, () -> Files.exists(requests.resolve(".done/tree.json")), () -> list(harness.data));
        assertEquals(hashes(ftp.file("reports")), hashes(harness.downloads().resolve("reports")));

        ftp.resetCounters();
        request("again.json", "{\"remotePath\":\"/reports\",\"localPath\":\"reports\",\"recursive\":true}");
        Await.until(WAIT, () -> Files.exists(requests.resolve(".done/again.json")), () -> list(harness.data));
        assertEquals(0, ftp.commandCount("RETR"), "the second run reads no file");

        request("missing.json", "{\"remotePath\":\"/nothing/\",\"localPath\":\"nothing\"}");
        Await.until(WAIT, () -> Files.exists(requests.resolve(".failed/missing.json.error.txt")),
                () -> list(harness.data));
        String reason = Files.readString(requests.resolve(".failed/missing.json.error.txt"));
        assertTrue(reason.contains("/nothing") && reason.contains("not found"), reason);
    }
}
