package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static dev.ferry.service.ServiceHarness.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of bad input: files in the request inbox that are not plain request files. A FIFO named
 * {@code x.json} blocked the inbox's one thread in its open for ever (no later request was taken); a link to
 * {@code /dev/zero} was read until the heap was full (5.8 GB); a link to a file elsewhere was read and run (and a parse
 * error would quote the start of what it points to); a name with a line break was never taken nor answered. Each is
 * refused in words now, in .failed/ with its reason, and the requests behind it run.
 */
class RequestInboxOddFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static ServiceHarness harness;
    static FerryService service;

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().start();
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        service = harness.start();
        Files.createDirectories(harness.requestInbox());
        ftp.write("reports/after.bin", 3000, 91);
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

    @Test
    void aFifoNamedLikeARequestIsRefusedAndTheRequestsAfterItRun() throws Exception {
        Path fifo = harness.requestInbox().resolve("fifo.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        assertReasonFor("fifo.json", "is not a regular file");
        assertRequestsStillRun("after-fifo");
    }

    @Test
    void aLinkToDevZeroIsRefusedWithoutReadingIt() throws Exception {
        Files.createSymbolicLink(harness.requestInbox().resolve("zero.json"), Path.of("/dev/zero"));
        assertReasonFor("zero.json", "symbolic link");
        assertRequestsStillRun("after-zero");
    }

    @Test
    void aLinkToARequestElsewhereIsRefusedNotRun() throws Exception {
        Path elsewhere = tmp.resolve("elsewhere.json");
        Files.writeString(elsewhere, "{\"remotePath\":\"/reports/after.bin\",\"localPath\":\"linked.bin\"}");
        Files.createSymbolicLink(harness.requestInbox().resolve("linked.json"), elsewhere);
        assertReasonFor("linked.json", "symbolic link");
        assertFalse(Files.exists(harness.downloads().resolve("linked.bin")), "the linked request was run");
    }

    @Test
    void aRequestFileWithALineBreakInItsNameIsAnswered() throws Exception {
        ServiceHarness.writeJson(harness.requestInbox(), "line\nbreak.json",
                "{\"remotePath\":\"/reports/after.bin\",\"localPath\":\"broken.bin\"}");
        assertReasonFor("line\nbreak.json", "control character");
    }

    @Test
    void aRequestFileWhoseNameIsNotUtf8IsAnswered() throws Exception {
        // printf '{…}' > caf$'\xe9'.json: a Latin-1 name, which Java cannot name as a String.
        Process sh = new ProcessBuilder("/bin/sh", "-c", "printf '{\"remotePath\":\"/reports/after.bin\"}' > "
                + "\"$(printf 'caf\\351.json')\"").directory(harness.requestInbox().toFile()).inheritIO().start();
        assertEquals(0, sh.waitFor());
        assertReasonFor("caf%E9.json", "not valid UTF-8");
        // Its own name, which Java cannot spell, is gone from the inbox (assertReasonFor's look is for the %XX form).
        Process gone = new ProcessBuilder("/bin/sh", "-c", "test ! -e \"$(printf 'caf\\351.json')\"")
                .directory(harness.requestInbox().toFile()).inheritIO().start();
        assertEquals(0, gone.waitFor(), "caf\\351.json left in the inbox: " + list(harness.requestInbox()));
    }

    @Test
    void aFolderOrALinkToOneNamedLikeARequestIsAnswered() throws Exception {
        Files.createDirectories(harness.requestInbox().resolve("folder.json"));
        Files.createSymbolicLink(harness.requestInbox().resolve("etc.json"), Path.of("/etc"));
        assertReasonFor("folder.json", "a folder, not a request file");
        assertReasonFor("etc.json", "a symbolic link to a folder");
        // Names that are not requests are not the inbox's business.
        Path notes = Files.createDirectories(harness.requestInbox().resolve("notes"));
        assertRequestsStillRun("after-folders");
        assertTrue(Files.isDirectory(notes), "a folder not named like a request was moved");
    }

    private static void assertReasonFor(String name, String words) {
        Path failed = harness.requestInbox().resolve(".failed");
        // The reason is written first, then the consumer moves the file: both are the answer.
        Await.until(WAIT, () -> Files.exists(failed.resolve(name + ".error.txt")) && !Files.exists(
                harness.requestInbox().resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                () -> "no reason for " + name + ", or still in the inbox: " + list(harness.requestInbox()));
        String reason = read(failed.resolve(name + ".error.txt"));
        assertTrue(reason.contains(words), reason);
    }

    private static void assertRequestsStillRun(String local) throws Exception {
        ServiceHarness.writeJson(harness.requestInbox(), local + ".json",
                "{\"remotePath\":\"/reports/after.bin\",\"localPath\":\"" + local + ".bin\"}");
        Path got = harness.downloads().resolve(local + ".bin");
        Await.until(WAIT, () -> Files.exists(got), () -> "the request after it did not run: "
                + list(harness.requestInbox()));
        assertEquals(Hashes.sha256(ftp.file("reports/after.bin")), Hashes.sha256(got));
    }
}
