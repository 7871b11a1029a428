package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request file still in the inbox whose download was published after it was dropped: what a crash between the
 * publish and the file's move to .done/ leaves. The next start files it in .done/ without a byte sent; it used to run
 * it again, which found its own download in the way and put the request in .failed/ ("already exists"). A request
 * dropped after the publish is a new one and runs (ServiceSameNameTest, DownloadTest's fileExist cases).
 *
 * <p>No crash here: the request file is written into a second request inbox before the same download runs from the
 * first; a rename would set its change time, which is what tells a left-behind file from one dropped later.
 */
class RequestLeftBehindTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aRequestLeftInTheInboxAfterItsDownloadWasPublishedIsFiledAsDone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("incoming/lb.bin", 300_000, 41);
            String json = "{\"remotePath\":\"lb.bin\",\"localPath\":\"lb.bin\"}";
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Path later = Files.createDirectories(harness.data.resolve("inbox/later"));
            // Written in place (not renamed in): its change time is now, before the publish below.
            Path leftBehind = Files.writeString(later.resolve("lb.json"), json, StandardCharsets.UTF_8);
            Thread.sleep(20);

            try (FerryService service = harness.start()) {
                ServiceHarness.writeJson(harness.requestInbox(), "lb.json", json);
                Await.until(WAIT, () -> Files.exists(harness.requestInbox().resolve(".done/lb.json")),
                        () -> "requests: " + list(harness.requestInbox()));
            }
            assertEquals(Hashes.sha256(remote), Hashes.sha256(harness.downloads().resolve("lb.bin")));
            long retrieved = ftp.commandCount("RETR");

            harness.properties.put("ferry.inbox.requests", later.toString());
            try (FerryService service = harness.start()) {
                Await.until(WAIT, () -> !Files.exists(leftBehind), () -> "requests: " + list(later));
                assertFalse(Files.exists(later.resolve(".failed")), "the request left behind failed: "
                        + list(later) + (Files.exists(later.resolve(".failed/lb.json.error.txt"))
                        ? " " + ServiceHarness.read(later.resolve(".failed/lb.json.error.txt")) : ""));
                assertEquals(json, ServiceHarness.read(later.resolve(".done/lb.json")));
            }
            assertEquals(retrieved, ftp.commandCount("RETR"), "the download was sent again");
            assertEquals(Hashes.sha256(remote), Hashes.sha256(harness.downloads().resolve("lb.bin")));
        }
    }
}
