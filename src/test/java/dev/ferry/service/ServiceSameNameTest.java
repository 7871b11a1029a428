package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.dropInto;
import static dev.ferry.service.ServiceHarness.list;
import static dev.ferry.service.ServiceHarness.read;
import static dev.ferry.service.ServiceHarness.writeJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferIds;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A name used twice never costs the earlier file its only copy: failed drops and request files of one name are all
 * kept in .failed/, each with its own reason; requests done under one name are all kept in .done/; and a request
 * file replaced under its name while the first runs is run, not filed as done. The real service with the real route
 * files, against the embedded FTP server at 256 KiB/s per connection.
 */
class ServiceSameNameTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static ServiceHarness harness;
    static FerryService service;

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().ratePerConnection(256 << 10).start();
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

    /**
     * {@code for i in 1 2 3; do cp c$i app2.bin; done} against a server that has app2.bin: each drop fails "already
     * exists". Before, .failed/app2.bin ended as the third drop only; the first two existed nowhere.
     */
    @Test
    void threeFailedDropsOfOneNameAreAllKeptInFailedEachWithItsOwnReason() throws Exception {
        ftp.write("incoming/app2.bin", 1024, 80);
        Path inbox = harness.uploadInbox();
        Path failed = inbox.resolve(".failed");
        String[] kept = {"app2.bin", "app2.bin.2", "app2.bin.3"};
        String[] hashes = new String[3];
        for (int i = 0; i < 3; i++) {
            Path source = PseudoRandomContent.write(tmp.resolve("c" + (i + 1)).resolve("app2.bin"), 2L << 20, 81 + i);
            hashes[i] = Hashes.sha256(source);
            dropInto(inbox, source);
            String name = kept[i];
            Await.until(WAIT, () -> Files.exists(failed.resolve(name)) && !Files.exists(inbox.resolve("app2.bin")),
                    () -> "inbox: " + list(inbox));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(hashes[i], Hashes.sha256(failed.resolve(kept[i])), kept[i] + " is drop " + (i + 1));
            String reason = read(failed.resolve(kept[i] + ".error.txt"));
            assertTrue(reason.contains("exists"), kept[i] + "'s own reason: " + reason);
        }
        assertEquals(Set.of("app2.bin", "app2.bin.2", "app2.bin.3", "app2.bin.error.txt", "app2.bin.2.error.txt",
                "app2.bin.3.error.txt"), names(failed, "app2"), "each copy and its reason, nothing else");
        assertEquals("1024", String.valueOf(Files.size(ftp.file("incoming/app2.bin"))), "the server's file stays");
    }

    /**
     * {@code mv .done/resend.bin .} after the partner took the server's copy: the drop keeps its modification time,
     * so the ledger's PUBLISHED row matched it as a drop left behind by a crash, and it went to .done/ again with
     * nothing sent. Put in the inbox after it was published, it is a new drop and is sent again (a small file in a
     * batch, a larger one alone).
     */
    @Test
    void aDropMovedBackFromDoneIsSentAgain() throws Exception {
        Path inbox = harness.uploadInbox();
        for (long size : new long[] {100 << 10, 2L << 20}) {
            String name = "resend-" + size + ".bin";
            Path source = PseudoRandomContent.write(tmp.resolve("resend").resolve(name), size, 95);
            String sha = Hashes.sha256(source);
            Path done = inbox.resolve(".done").resolve(name);
            Path remote = ftp.file("incoming/" + name);
            dropInto(inbox, source);
            Await.until(WAIT, () -> Files.exists(done) && !Files.exists(inbox.resolve(name)),
                    () -> "inbox: " + list(inbox));
            assertEquals(sha, Hashes.sha256(remote), name + " sent");
            Files.delete(remote); // the partner took it
            dropInto(inbox, done); // same file, same modification time
            Await.until(WAIT, () -> Files.exists(remote) && Files.exists(done) && !Files.exists(inbox.resolve(name)),
                    () -> name + " not sent again; inbox: " + list(inbox) + ", server: " + Files.exists(remote));
            assertEquals(sha, Hashes.sha256(remote), name + " sent again");
        }
    }

    /** Request files: .failed/ and .done/ replaced an earlier request of the same name (plain move: .done/.failed). */
    @Test
    void requestFilesOfOneNameAreAllKeptInFailedAndInDone() throws Exception {
        ftp.write("same/r1.bin", 4096, 90);
        ftp.write("same/r2.bin", 4096, 91);
        Files.createDirectories(harness.downloads());
        Files.writeString(harness.downloads().resolve("taken.bin"), "a local file the requests may not replace");
        Path inbox = harness.requestInbox();
        String[] refused = {"{\"remotePath\":\"/same/r1.bin\",\"localPath\":\"taken.bin\"}",
                "{\"remotePath\":\"/same/r2.bin\",\"localPath\":\"taken.bin\"}"};
        String[] failedAs = {"req.json", "req.json.2"};
        for (int i = 0; i < 2; i++) {
            writeJson(inbox, "req.json", refused[i]);
            String name = failedAs[i];
            Await.until(WAIT, () -> Files.exists(inbox.resolve(".failed").resolve(name))
                    && !Files.exists(inbox.resolve("req.json")), () -> "inbox: " + list(inbox));
        }
        for (int i = 0; i < 2; i++) {
            Path copy = inbox.resolve(".failed").resolve(failedAs[i]);
            assertEquals(Hashes.sha256(refused[i].getBytes(StandardCharsets.UTF_8)), Hashes.sha256(copy), failedAs[i]);
            String reason = read(inbox.resolve(".failed").resolve(failedAs[i] + ".error.txt"));
            assertTrue(reason.contains("taken.bin"), failedAs[i] + "'s own reason: " + reason);
        }

        String[] done = {"{\"remotePath\":\"/same/r1.bin\",\"localPath\":\"ok1.bin\"}",
                "{\"remotePath\":\"/same/r2.bin\",\"localPath\":\"ok2.bin\"}"};
        for (int i = 0; i < 2; i++) {
            writeJson(inbox, "ok.json", done[i]);
            Path local = harness.downloads().resolve("ok" + (i + 1) + ".bin");
            Await.until(WAIT, () -> Files.exists(local) && !Files.exists(inbox.resolve("ok.json")),
                    () -> "inbox: " + list(inbox));
        }
        assertEquals(Hashes.sha256(ftp.file("same/r1.bin")), Hashes.sha256(harness.downloads().resolve("ok1.bin")));
        assertEquals(Hashes.sha256(ftp.file("same/r2.bin")), Hashes.sha256(harness.downloads().resolve("ok2.bin")));
        assertEquals(Set.of(hash(done[0]), hash(done[1])), hashesOf(inbox.resolve(".done"), "ok.json"),
                "both requests in .done/: " + list(inbox.resolve(".done")));
    }

    /**
     * A request file replaced (mv) under its name while its request still ran: before, the replacement went to
     * .done/ when the first ended, and was never run.
     */
    @Test
    void aRequestFileReplacedWhileItsRequestRunsIsRunAfterIt() throws Exception {
        Path inbox = harness.requestInbox();
        String a = slowRequest("slowA.bin", 95);
        String b = replacedBy("same.json", a, "B.bin", "B-from-same.bin", 96);
        assertFalse(Files.exists(harness.downloads().resolve("slowA.bin")), "A must still be running when B comes");

        Path fromB = harness.downloads().resolve("B-from-same.bin");
        Await.until(WAIT, () -> Files.exists(fromB) && Files.exists(harness.downloads().resolve("slowA.bin"))
                && !Files.exists(inbox.resolve("same.json")), () -> "inbox: " + list(inbox));
        assertEquals(Hashes.sha256(ftp.file("B.bin")), Hashes.sha256(fromB), "B ran");
        assertEquals(Hashes.sha256(ftp.file("slowA.bin")), Hashes.sha256(harness.downloads().resolve("slowA.bin")));
        Await.until(WAIT, () -> hashesOf(inbox.resolve(".done"), "same.json").size() == 2,
                () -> ".done: " + list(inbox.resolve(".done")));
        assertEquals(Set.of(hash(a), hash(b)), hashesOf(inbox.resolve(".done"), "same.json"),
                "each request in .done/ once it ran: " + list(inbox.resolve(".done")));
    }

    /**
     * The same replacement, but the request that ran then fails (cancelled through the API): before, the consumer's
     * moveFailed took the file at the name -- the new request, never run -- into .failed/ with the first one's reason.
     */
    @Test
    void aRequestThatFailsAfterItsFileWasReplacedLeavesTheNewFileToRun() throws Exception {
        Path inbox = harness.requestInbox();
        String c = slowRequest("slowC.bin", 97);
        String d = replacedBy("failing.json", c, "D.bin", "D-from-replaced.bin", 98);
        String id = TransferIds.of(Direction.DOWNLOAD, "fixture", "/slowC.bin",
                harness.downloads().resolve("slowC.bin").toAbsolutePath().toString());
        HttpResponse<String> cancel = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(service.webUrl() + "api/transfers/" + id + "/cancel")).POST(
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, cancel.statusCode(), cancel.body());

        Path fromD = harness.downloads().resolve("D-from-replaced.bin");
        Path failed = inbox.resolve(".failed");
        Await.until(WAIT, () -> Files.exists(fromD) && !Files.exists(inbox.resolve("failing.json"))
                && hashesOf(inbox.resolve(".done"), "failing.json").size() == 1,
                () -> "inbox: " + list(inbox) + ", .failed: " + list(failed));
        assertEquals(Hashes.sha256(ftp.file("D.bin")), Hashes.sha256(fromD), "the new request ran");
        assertEquals(Set.of(hash(d)), hashesOf(inbox.resolve(".done"), "failing.json"), "and is filed as done");
        assertEquals(hash(c), Hashes.sha256(failed.resolve("failing.json")), "the failed request, as it was read");
        assertTrue(read(failed.resolve("failing.json.error.txt")).contains("cancel"),
                read(failed.resolve("failing.json.error.txt")));
        assertFalse(Files.exists(harness.downloads().resolve("slowC.bin")), "the cancelled request published");
    }

    /** A request for a 2 MiB file of its own, on one connection at the fixture's 256 KiB/s: about 8 s. */
    private static String slowRequest(String name, int seed) {
        ftp.write(name, 2L << 20, seed);
        return "{\"remotePath\":\"/" + name + "\",\"localPath\":\"" + name + "\",\"options\":{\"segments\":1}}";
    }

    /**
     * Drops {@code first} as {@code file}, waits until its download has begun (its part file is there), then replaces
     * the file with a request for a small file {@code remote} into {@code local}; returns that request.
     */
    private static String replacedBy(String file, String first, String remote, String local, int seed)
            throws IOException {
        ftp.write(remote, 64 << 10, seed);
        Path inbox = harness.requestInbox();
        writeJson(inbox, file, first);
        String part = "." + first.replaceAll(".*\"localPath\":\"([^\"]+)\".*", "$1") + ".ferry-";
        Await.until(WAIT, () -> !names(harness.downloads(), part).isEmpty(),
                () -> "the first request never started: " + list(harness.downloads()));
        String second = "{\"remotePath\":\"/" + remote + "\",\"localPath\":\"" + local + "\"}";
        replace(inbox, file, second);
        return second;
    }

    /** {@code mv} of a file written aside over one that exists: one rename, replacing it. */
    private static void replace(Path inbox, String name, String json) throws IOException {
        Path staged = inbox.resolveSibling("." + name + ".replacement");
        Files.writeString(staged, json, StandardCharsets.UTF_8);
        Files.move(staged, inbox.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String hash(String text) {
        return Hashes.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> names(Path dir, String prefix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 of every file in {@code dir} named {@code name} or set aside from it ({@code name.<time>}). */
    private static Set<String> hashesOf(Path dir, String name) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> copies = s.filter(p -> p.getFileName().toString().startsWith(name)).toList();
            return copies.stream().map(Hashes::sha256).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
