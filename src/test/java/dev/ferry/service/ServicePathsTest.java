package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.dropInto;
import static dev.ferry.service.ServiceHarness.list;
import static dev.ferry.service.ServiceHarness.read;
import static dev.ferry.service.ServiceHarness.writeJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, items 2 and 4, with the exact steps of the report: symbolic links never lead a download out of the
 * download folder nor an upload to a file outside the inbox, and no file of the user's (local, remote, or in .done/)
 * is replaced without being asked.
 */
class ServicePathsTest {
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
    void aDownloadThroughASymlinkOutOfTheDownloadFolderIsRefusedAndWritesNothingOutside() throws Exception {
        ftp.write("pub/x.txt", 5000, 1);
        Path outside = Files.createDirectories(tmp.resolve("outside-dir"));
        Files.createDirectories(harness.downloads());
        // ln -s /tmp/outside-dir data/downloads/sublink
        Files.createSymbolicLink(harness.downloads().resolve("sublink"), outside);
        writeJson(harness.requestInbox(), "escape.json",
                "{\"server\":\"fixture\",\"remotePath\":\"/pub/x.txt\",\"localPath\":\"sublink/x.txt\"}");

        String error = failedWith(harness.requestInbox(), "escape.json");
        assertTrue(error.contains("sublink/x.txt") && error.contains("symbolic link"), error);
        assertEquals(List.of(), entries(outside), "nothing written outside the download folder");
    }

    @Test
    void aSymlinkDroppedIntoTheUploadInboxIsNotUploaded() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not for the server\n");
        Files.createDirectories(harness.uploadInbox());
        // ln -s /etc/hostname data/inbox/upload/exfil.txt
        Files.createSymbolicLink(harness.uploadInbox().resolve("exfil.txt"), secret);

        String error = failedWith(harness.uploadInbox(), "exfil.txt");
        assertTrue(error.contains("symbolic link") && error.contains("ferry.inbox.follow-links"), error);
        assertFalse(Files.exists(ftp.file("incoming/exfil.txt")), "the link's target never reached the server");
        assertEquals("not for the server\n", Files.readString(secret), "the target is untouched");
    }

    @Test
    void aDownloadOntoAnExistingFileIsRefusedByDefaultWithAndWithoutLocalPath() throws Exception {
        ftp.write("pub/mine.txt", 3000, 2);
        ftp.write("pub/named.bin", 3000, 3);
        Path mine = Files.writeString(Files.createDirectories(harness.downloads()).resolve("mine.txt"), "my own\n");
        Path named = Files.writeString(harness.downloads().resolve("named.bin"), "also mine\n");
        writeJson(harness.requestInbox(), "over.json",
                "{\"server\":\"fixture\",\"remotePath\":\"/pub/mine.txt\",\"localPath\":\"mine.txt\"}");
        writeJson(harness.requestInbox(), "nolocal.json", "{\"server\":\"fixture\",\"remotePath\":\"/pub/named.bin\"}");

        for (String request : new String[] {"over.json", "nolocal.json"}) {
            String error = failedWith(harness.requestInbox(), request);
            assertTrue(error.contains("already exists") && error.contains("fileExist"), error);
        }
        assertEquals("my own\n", Files.readString(mine));
        assertEquals("also mine\n", Files.readString(named));
        assertEquals(List.of(), parts(), "no partial file left");
    }

    @Test
    void overrideReplacesIgnoreKeepsAndOverwriteIsOverride() throws Exception {
        Path overridden = ftp.write("pub/o1.bin", 4000, 4);
        Path aliased = ftp.write("pub/o2.bin", 4000, 5);
        ftp.write("pub/o3.bin", 4000, 6);
        Path dir = Files.createDirectories(harness.downloads());
        for (String name : new String[] {"o1.bin", "o2.bin", "o3.bin"}) {
            Files.writeString(dir.resolve(name), "old " + name);
        }
        writeJson(harness.requestInbox(), "o1.json", "{\"server\":\"fixture\",\"remotePath\":\"/pub/o1.bin\","
                + "\"options\":{\"fileExist\":\"Override\"}}");
        writeJson(harness.requestInbox(), "o2.json", "{\"server\":\"fixture\",\"remotePath\":\"/pub/o2.bin\","
                + "\"options\":{\"overwrite\":true}}");
        writeJson(harness.requestInbox(), "o3.json", "{\"server\":\"fixture\",\"remotePath\":\"/pub/o3.bin\","
                + "\"options\":{\"fileExist\":\"Ignore\"}}");
        Path done = harness.requestInbox().resolve(".done");
        Await.until(WAIT, () -> Stream.of("o1.json", "o2.json", "o3.json").allMatch(n -> Files.exists(done.resolve(n))),
                () -> "requests: " + list(harness.requestInbox()));

        assertEquals(Hashes.sha256(overridden), Hashes.sha256(dir.resolve("o1.bin")));
        assertEquals(Hashes.sha256(aliased), Hashes.sha256(dir.resolve("o2.bin")));
        assertEquals("old o3.bin", Files.readString(dir.resolve("o3.bin")), "Ignore keeps the file");
        assertEquals(List.of(), parts(), "no partial file left");
    }

    @Test
    void aLocalPathEndingInASlashMeansIntoThatFolder() throws Exception {
        Path remote = ftp.write("pub/into.bin", 6000, 7);
        writeJson(harness.requestInbox(), "into.json",
                "{\"server\":\"fixture\",\"remotePath\":\"/pub/into.bin\",\"localPath\":\"sorted/\"}");
        Path target = harness.downloads().resolve("sorted/into.bin");
        Await.until(WAIT, () -> Files.exists(harness.requestInbox().resolve(".done/into.json")),
                () -> "requests: " + list(harness.requestInbox()) + ", downloads: " + list(harness.downloads()));
        assertTrue(Files.isRegularFile(target), list(harness.downloads()));
        assertEquals(Hashes.sha256(remote), Hashes.sha256(target));
    }

    @Test
    void anExistingDirectoryAsTargetFailsAtOnceLeavingNoPartFile() throws Exception {
        ftp.write("pub/adir", 6000, 8);
        Path dir = Files.createDirectories(harness.downloads().resolve("adir"));
        Files.writeString(dir.resolve("keep.txt"), "inside");
        long t0 = System.nanoTime();
        writeJson(harness.requestInbox(), "adir.json",
                "{\"server\":\"fixture\",\"remotePath\":\"/pub/adir\",\"localPath\":\"adir\"}");
        String error = failedWith(harness.requestInbox(), "adir.json");
        long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
        assertTrue(error.contains("is a directory") && error.contains("'/'"), error);
        // The inbox takes a request after a second's read lock; retries (0.2 s, 0.4 s ... 5 s) would take 16 s.
        assertTrue(seconds < 8, "failed at once, not after retries: " + seconds + " s");
        assertEquals(List.of("keep.txt"), entries(dir));
        assertEquals(List.of(), parts(), "no partial file left");
    }

    @Test
    void theSameNameDroppedTwiceKeepsTheServersCopyAndTheEarlierDoneCopy() throws Exception {
        Path inbox = harness.uploadInbox();
        Path staging = Files.createDirectories(tmp.resolve("staging-twice"));
        String first = Hashes.sha256(PseudoRandomContent.write(staging.resolve("twice.bin"), 20_000, 9));
        dropInto(inbox, staging.resolve("twice.bin"));
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/twice.bin")), () -> "inbox: " + list(inbox));
        assertEquals(first, Hashes.sha256(ftp.file("incoming/twice.bin")));

        // The same name again, other bytes: by default the server's copy is kept and the drop fails in words.
        String second = Hashes.sha256(PseudoRandomContent.write(staging.resolve("twice.bin"), 30_000, 10));
        dropInto(inbox, staging.resolve("twice.bin"));
        String error = failedWith(inbox, "twice.bin");
        assertTrue(error.contains("/incoming/twice.bin") && error.contains("already exists")
                && error.contains("fileExist"), error);
        assertEquals(first, Hashes.sha256(ftp.file("incoming/twice.bin")), "the server's copy is kept");
        assertEquals(first, Hashes.sha256(inbox.resolve(".done/twice.bin")), "the .done/ copy is kept");
        assertEquals(second, Hashes.sha256(inbox.resolve(".failed/twice.bin")), "the refused drop is kept");

        // Once the server's copy is gone, a third drop of the name goes through; the earlier .done/ copy stays,
        // renamed with its time.
        Files.delete(ftp.file("incoming/twice.bin"));
        String third = Hashes.sha256(PseudoRandomContent.write(staging.resolve("twice.bin"), 40_000, 11));
        dropInto(inbox, staging.resolve("twice.bin"));
        Await.until(WAIT, () -> Files.exists(ftp.file("incoming/twice.bin"))
                && entries(inbox.resolve(".done")).stream().filter(n -> n.startsWith("twice.bin")).count() == 2,
                () -> "inbox: " + list(inbox));
        Await.until(WAIT, () -> third.equals(Hashes.sha256(inbox.resolve(".done/twice.bin"))),
                () -> "inbox: " + list(inbox));
        assertEquals(third, Hashes.sha256(ftp.file("incoming/twice.bin")));
        String aside = entries(inbox.resolve(".done")).stream()
                .filter(n -> n.startsWith("twice.bin.")).findFirst().orElseThrow();
        assertTrue(aside.matches("twice\\.bin\\.\\d{8}-\\d{6}"), aside);
        assertEquals(first, Hashes.sha256(inbox.resolve(".done").resolve(aside)), "the earlier drop is kept");
    }

    /** Waits for {@code name} in the inbox's .failed/ with its reason, and returns the reason. */
    private static String failedWith(Path inbox, String name) {
        Path error = inbox.resolve(".failed").resolve(name + ".error.txt");
        Await.until(WAIT, () -> Files.exists(error) && Files.exists(inbox.resolve(".failed").resolve(name)),
                () -> "inbox: " + list(inbox));
        return read(error);
    }

    private static List<String> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            return List.of(e.toString());
        }
    }

    private static List<String> parts() throws java.io.IOException {
        try (Stream<Path> s = Files.walk(harness.downloads())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).toList();
        }
    }
}
