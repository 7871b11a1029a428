package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.dropInto;
import static dev.ferry.service.ServiceHarness.list;
import static dev.ferry.service.ServiceHarness.read;
import static dev.ferry.service.ServiceHarness.writeJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferIds;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real service, with the real route files, against an embedded FTP server. */
class ServiceTransfersTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static ServiceHarness harness;
    static FerryService service;

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().writeInPlace(true).start();
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        // A profile with a wrong password, for the bad-input test.
        harness.properties.put("ferry.servers.badpass.host", ftp.host());
        harness.properties.put("ferry.servers.badpass.port", String.valueOf(ftp.port()));
        harness.properties.put("ferry.servers.badpass.user", "intruder");
        harness.secrets.put("ferry.servers.badpass.password", "not-" + ftp.password());
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
    void threeDroppedFilesArriveIdenticalAndMoveToDone() {
        Path staging = tmp.resolve("staging-drops");
        Path big = PseudoRandomContent.write(staging.resolve("big.bin"), 100L << 20, 1);
        Path medium = PseudoRandomContent.write(staging.resolve("medium.bin"), 9L << 20, 2);
        Path small = PseudoRandomContent.write(staging.resolve("small.txt"), 1000, 3);
        String[] hashes = {Hashes.sha256(big), Hashes.sha256(medium), Hashes.sha256(small)};
        String[] names = {"big.bin", "medium.bin", "small.txt"};
        for (Path p : new Path[] {big, medium, small}) {
            dropInto(harness.uploadInbox(), p);
        }
        Path done = harness.uploadInbox().resolve(".done");
        Await.until(WAIT, () -> Files.exists(done.resolve("big.bin")) && Files.exists(done.resolve("medium.bin"))
                && Files.exists(done.resolve("small.txt")), () -> "inbox: " + list(harness.uploadInbox()));
        for (int i = 0; i < names.length; i++) {
            Path onServer = ftp.file("incoming/" + names[i]);
            assertEquals(hashes[i], Hashes.sha256(onServer), names[i] + " on the server");
            assertEquals(hashes[i], Hashes.sha256(done.resolve(names[i])), names[i] + " in .done");
            assertEquals(TransferStatus.PUBLISHED, status(Direction.UPLOAD, "/incoming/" + names[i],
                    harness.uploadInbox().resolve(names[i])));
        }
        // The inbox is shared with the burst test, whose one failure is meant to be there.
        for (String name : names) {
            assertFalse(Files.exists(harness.uploadInbox().resolve(".failed/" + name)), list(harness.uploadInbox()));
        }
    }

    @Test
    void aBurstOfSmallDropsTravelsInBatchesEachVerifiedAndAFailureStaysWithItsFile() throws Exception {
        // Small drops go through ferry:batch (routes/upload-drops.yaml), up to ferry.inbox.batch-max-bytes (1 MiB)
        // each; the one byte larger goes through the segment pipeline. blocked.bin cannot be renamed into place
        // (a directory holds its name on the server): it alone must fail, in words, with its batch unharmed.
        Files.createDirectories(ftp.file("incoming/burst-blocked.bin"));
        Files.writeString(ftp.file("incoming/burst-blocked.bin/keep.txt"), "a directory, not a file");
        Path staging = tmp.resolve("staging-burst");
        java.util.Map<String, String> hashes = new java.util.TreeMap<>();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 150; i++) {
            String name = String.format("burst-%03d.bin", i);
            long size = switch (i) {
                case 0 -> 0;
                case 1 -> 1L << 20;
                case 2 -> (1L << 20) + 1;
                default -> random.nextInt(200_000);
            };
            hashes.put(name, Hashes.sha256(PseudoRandomContent.write(staging.resolve(name), size, 100 + i)));
        }
        PseudoRandomContent.write(staging.resolve("burst-blocked.bin"), 5000, 99);
        Path inbox = harness.uploadInbox();
        try (var burst = Files.list(staging)) {
            burst.forEach(p -> dropInto(inbox, p));
        }
        Path done = inbox.resolve(".done");
        Path failed = inbox.resolve(".failed");
        Await.until(WAIT, () -> Files.exists(failed.resolve("burst-blocked.bin.error.txt"))
                        && hashes.keySet().stream().allMatch(n -> Files.exists(done.resolve(n))),
                () -> "inbox: " + list(inbox));

        for (var e : hashes.entrySet()) {
            assertEquals(e.getValue(), Hashes.sha256(ftp.file("incoming/" + e.getKey())), e.getKey() + " on the server");
            assertEquals(TransferStatus.PUBLISHED, status(Direction.UPLOAD, "/incoming/" + e.getKey(),
                    inbox.resolve(e.getKey())), e.getKey());
        }
        assertEquals(List.of("burst-blocked.bin", "burst-blocked.bin.error.txt"), names(failed, "burst-"));
        String error = read(failed.resolve("burst-blocked.bin.error.txt"));
        assertTrue(error.contains("burst-blocked.bin") && error.contains("/incoming/burst-blocked.bin"), error);
        assertEquals(TransferStatus.FAILED, status(Direction.UPLOAD, "/incoming/burst-blocked.bin",
                inbox.resolve("burst-blocked.bin")));
        assertTrue(Files.isDirectory(ftp.file("incoming/burst-blocked.bin")), "the server's directory was left alone");
        // Nothing half-done under a final name, and no temporary file left behind but the failed one's.
        try (var onServer = Files.list(ftp.file("incoming"))) {
            List<String> left = onServer.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("burst-") && !hashes.containsKey(n) && !n.equals("burst-blocked.bin"))
                    .toList();
            assertTrue(left.size() <= 1 && left.stream().allMatch(n -> n.startsWith(".")), "left on the server: " + left);
        }
    }

    /**
     * A hostile review: a .json file dropped to be uploaded was read as a download request: data.json ({"a":1}) went to
     * .failed/ ("unknown field 'a'"), req.json ({"remotePath":…}) downloaded a file, and one over 64 KiB was refused as
     * a request too large. Every file in the upload inbox is uploaded, small (a batch) or large (the pipeline).
     */
    @Test
    void aJsonFileDroppedIntoTheUploadInboxIsUploadedNotRunAsARequest() throws Exception {
        Path inbox = harness.uploadInbox();
        Path staging = Files.createDirectories(tmp.resolve("staging-json"));
        ftp.write("reports/x.bin", 1000, 503);
        Map<String, String> sources = new java.util.TreeMap<>();
        Files.writeString(staging.resolve("data.json"), "{\"a\":1}");
        Files.writeString(staging.resolve("req.json"), "{\"remotePath\":\"/reports/x.bin\",\"localPath\":\"x.bin\"}");
        Files.writeString(staging.resolve("big.json"), "[" + "1,".repeat(800_000) + "1]");
        for (String name : List.of("data.json", "req.json", "big.json")) {
            sources.put(name, Hashes.sha256(staging.resolve(name)));
            dropInto(inbox, staging.resolve(name));
        }
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Await.until(WAIT, () -> Files.exists(inbox.resolve(".done").resolve(e.getKey())), () -> "inbox: "
                    + list(inbox) + " failed: " + list(inbox.resolve(".failed")));
            assertEquals(e.getValue(), Hashes.sha256(ftp.file("incoming/" + e.getKey())), e.getKey());
        }
        assertFalse(Files.exists(harness.downloads().resolve("x.bin")), "req.json was run as a download request");
    }

    @Test
    void aSmallFileDroppedAgainUnderItsNameIsSentAgainWithItsNewContent() throws Exception {
        // The second drop is the same transfer id as the first, already PUBLISHED in the ledger: inside a batch it
        // starts afresh, and the batch's commit brings the existing row up to date.
        Path inbox = harness.uploadInbox();
        Path staging = tmp.resolve("staging-again");
        Path done = inbox.resolve(".done/again.bin");
        String first = Hashes.sha256(PseudoRandomContent.write(staging.resolve("again.bin"), 5_000, 501));
        dropInto(inbox, staging.resolve("again.bin"));
        Await.until(WAIT, () -> Files.exists(done), () -> "inbox: " + list(inbox));
        assertEquals(first, Hashes.sha256(ftp.file("incoming/again.bin")));

        // The server's copy is never replaced unasked (ferry.file-exist=Fail, ServicePathsTest): it is removed first,
        // as the refusal's reason tells a person to.
        Files.delete(ftp.file("incoming/again.bin"));
        String second = Hashes.sha256(PseudoRandomContent.write(staging.resolve("again.bin"), 7_000, 502));
        dropInto(inbox, staging.resolve("again.bin"));
        Await.until(WAIT, () -> !Files.exists(inbox.resolve("again.bin")) && Files.exists(done)
                && second.equals(Hashes.sha256(done)), () -> "inbox: " + list(inbox));
        assertEquals(second, Hashes.sha256(ftp.file("incoming/again.bin")), "the server has the second content");
        TransferRecord r = service.ledger().find(TransferIds.of(Direction.UPLOAD, "fixture", "/incoming/again.bin",
                inbox.resolve("again.bin").toAbsolutePath().toString())).orElseThrow();
        assertEquals(TransferStatus.PUBLISHED, r.status());
        assertEquals(7_000, r.size());
        assertEquals(12_000, r.bytesMoved(), "both runs counted: " + r);
        assertFalse(Files.exists(inbox.resolve(".failed/again.bin")), "inbox: " + list(inbox));
    }

    @Test
    void aSmallDropWhoseTransferIsAlreadyRunningWaitsForItAndIsNotSentAgain() throws Exception {
        // The same transfer (same file, same remote name) asked for through the queue first, slowed down, and then
        // taken by the inbox's batch: the batch must leave the running transfer's ledger row alone and join it.
        Path inbox = harness.uploadInbox();
        Path file = inbox.resolve("running.bin");
        int size = 800_000;
        String hash = Hashes.sha256(PseudoRandomContent.write(file, size, 601)); // too young for the inbox: 1 s
        long before = ftp.bytesReceived();
        TransferRequest queued = new TransferRequest(Direction.UPLOAD, "fixture",
                "/incoming/running.bin", file.toAbsolutePath().toString(),
                TransferOptions.none().withRateLimit(400_000));
        service.camelContext().createProducerTemplate().sendBody(FerryService.TRANSFERS_ENDPOINT, queued);
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/running.bin")), () -> "inbox: " + list(inbox));

        assertEquals(hash, Hashes.sha256(ftp.file("incoming/running.bin")));
        TransferRecord r = service.ledger().find(queued.id()).orElseThrow();
        assertEquals(TransferStatus.PUBLISHED, r.status(), r.toString());
        long sent = ftp.bytesReceived() - before;
        assertTrue(sent >= size && sent < size + 100_000, "the server received " + sent + " bytes for " + size);
        assertFalse(Files.exists(inbox.resolve(".failed/running.bin")), "inbox: " + list(inbox));
    }

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void queuedRequestsBeyondThePipelinesQueueWaitAndAllRun() throws Exception {
        // More requests than seda's queue holds (1,000) arrive while the pipeline takes none: each is accepted, and
        // the queue consumer waits for room instead of the request being refused and left in the ledger.
        Path remote = ftp.write("burst/one.txt", 100, 602);
        int requests = 1_050;
        var routes = service.camelContext().getRouteController();
        routes.suspendRoute("ferry-transfers");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            var template = service.camelContext().createProducerTemplate();
            try {
                for (int i = 0; i < requests; i++) {
                    template.requestBody("seda:ferry-requests",
                            "{\"remotePath\":\"/burst/one.txt\",\"localPath\":\"burst/" + i + ".txt\"}");
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        sender.start();
        try {
            Await.until(WAIT, () -> service.ledger().unfinished().size() > 1_000,
                    () -> "accepted: " + service.ledger().unfinished().size());
            assertTrue(sender.isAlive(), "the sender stopped with " + failed.get());
            assertTrue(service.ledger().unfinished().size() < requests, "nothing waited for room");
        } finally {
            routes.resumeRoute("ferry-transfers");
        }
        sender.join(WAIT.toMillis());
        assertEquals(null, failed.get());
        Await.until(WAIT, () -> service.ledger().unfinished().isEmpty(),
                () -> "unfinished: " + service.ledger().unfinished().size());
        String hash = Hashes.sha256(remote);
        for (int i = 0; i < requests; i++) {
            assertEquals(hash, Hashes.sha256(harness.downloads().resolve("burst/" + i + ".txt")), "burst/" + i);
        }
    }

    private static List<String> names(Path dir, String prefix) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    @Test
    void droppedJsonRequestDownloadsItsFile() {
        Path remote = ftp.write("reports/a.bin", 20L << 20, 7);
        writeJson(harness.requestInbox(), "a.json",
                "{\"server\":\"fixture\",\"remotePath\":\"/reports/a.bin\",\"localPath\":\"reports/a.bin\","
                        + "\"options\":{\"segments\":4,\"minSegmentSize\":1048576}}");
        Path local = harness.downloads().resolve("reports/a.bin");
        Await.until(WAIT, () -> Files.exists(harness.requestInbox().resolve(".done/a.json")),
                () -> "requests: " + list(harness.requestInbox()) + ", downloads: " + list(harness.downloads()));
        assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
        assertEquals(TransferStatus.PUBLISHED, status(Direction.DOWNLOAD, "/reports/a.bin", local));
        // The JSON events went to the events endpoint, which progress.yaml appends to events.jsonl.
        Path events = harness.data.resolve("events.jsonl");
        Await.until(WAIT, () -> Files.exists(events) && read(events).contains("\"event\":\"published\"")
                && read(events).contains("/reports/a.bin"), () -> "events: " + (Files.exists(events) ? read(events) : "none"));
        assertTrue(read(events).lines().allMatch(l -> l.startsWith("{") && l.endsWith("}")), "one JSON object a line");
    }

    @Test
    void fileStillBeingWrittenIsNotTakenEarly() throws Exception {
        Path file = harness.uploadInbox().resolve("slow.bin");
        String id = TransferIds.of(Direction.UPLOAD, "fixture", "/incoming/slow.bin", file.toAbsolutePath().toString());
        byte[] content = PseudoRandomContent.bytes(11, 0, 6 << 20);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean takenEarly = new AtomicBoolean();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
                // 12 pieces, a pause shorter than the read lock's minimum age between each: a writer that is slow,
                // not one that stopped.
                int piece = content.length / 12;
                for (int i = 0; i < 12; i++) {
                    out.write(content, i * piece, piece);
                    out.flush();
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                writerFailed.set(e);
            } finally {
                finished.set(true);
            }
        });
        writer.start();
        while (!finished.get()) {
            if (service.ledger().find(id).isPresent() || Files.exists(ftp.file("incoming/slow.bin"))) {
                takenEarly.set(true);
            }
            Thread.sleep(20);
        }
        writer.join();
        assertEquals(null, writerFailed.get());
        assertFalse(takenEarly.get(), "the upload started while the file was still being written");
        Await.until(WAIT, () -> Files.exists(harness.uploadInbox().resolve(".done/slow.bin")),
                () -> "inbox: " + list(harness.uploadInbox()));
        assertEquals(Hashes.sha256(content), Hashes.sha256(ftp.file("incoming/slow.bin")));
    }

    @Test
    void badInputsEndInFailedWithTheReasonAndTheServiceKeepsServing() throws Exception {
        Path requests = harness.requestInbox();
        Path failed = requests.resolve(".failed");
        ftp.write("reports/good.bin", 3L << 20, 21);
        // Larger than the free space where downloads go: a sparse file on the server costs no disk.
        long tooBig = Files.getFileStore(harness.downloads()).getUsableSpace() + (1L << 40);
        try (RandomAccessFile raf = new RandomAccessFile(ftp.file("reports/huge.bin").toFile(), "rw")) {
            raf.setLength(tooBig);
        }

        writeJson(requests, "malformed.json", "{\"remotePath\": \"/reports/good.bin\", ");
        writeJson(requests, "empty.json", "");
        writeJson(requests, "unknown-server.json", "{\"server\":\"nope\",\"remotePath\":\"/reports/good.bin\"}");
        writeJson(requests, "missing-local.json",
                "{\"direction\":\"UPLOAD\",\"remotePath\":\"/incoming/x.bin\",\"localPath\":\"not-there.bin\"}");
        writeJson(requests, "remote-550.json", "{\"remotePath\":\"/reports/no-such.bin\"}");
        writeJson(requests, "wrong-password.json",
                "{\"server\":\"badpass\",\"remotePath\":\"/reports/good.bin\",\"localPath\":\"pw.bin\"}");
        writeJson(requests, "disk-full.json", "{\"remotePath\":\"/reports/huge.bin\"}");
        writeJson(requests, "escape.json", "{\"remotePath\":\"/reports/good.bin\",\"localPath\":\"../../etc/x\"}");

        String[][] expected = {
            {"malformed.json", "malformed JSON"},
            {"empty.json", "the request is empty"},
            {"unknown-server.json", "unknown server profile 'nope' in \"server\""},
            {"missing-local.json", "does not exist"},
            {"remote-550.json", "/reports/no-such.bin not found"},
            {"wrong-password.json", "check the user and password of server profile 'badpass'"},
            {"disk-full.json", "not enough space"},
            {"escape.json", "contains '..'"},
        };
        for (String[] e : expected) {
            Path errorFile = failed.resolve(e[0] + ".error.txt");
            Await.until(WAIT, () -> Files.exists(errorFile) && Files.exists(failed.resolve(e[0])),
                    () -> e[0] + ": requests " + list(requests));
            String text = read(errorFile);
            assertTrue(text.contains(e[1]), e[0] + ": expected '" + e[1] + "' in: " + text);
            assertTrue(text.contains(e[0]), e[0] + ": the error names the file: " + text);
        }
        // The ledger says FAILED, with the reason, for every request that named a transfer.
        assertFailed(Direction.DOWNLOAD, "nope", "/reports/good.bin", harness.downloads().resolve("good.bin"),
                "unknown server profile");
        assertFailed(Direction.DOWNLOAD, "fixture", "/reports/no-such.bin", harness.downloads().resolve("no-such.bin"),
                "not found");
        assertFailed(Direction.DOWNLOAD, "badpass", "/reports/good.bin", harness.downloads().resolve("pw.bin"),
                "refused");
        assertFailed(Direction.DOWNLOAD, "fixture", "/reports/huge.bin", harness.downloads().resolve("huge.bin"),
                "not enough space");
        assertFailed(Direction.UPLOAD, "fixture", "/incoming/x.bin", harness.downloads().resolve("not-there.bin"),
                "does not exist");

        // ...and the service still serves.
        writeJson(requests, "good.json", "{\"remotePath\":\"/reports/good.bin\"}");
        Await.until(WAIT, () -> Files.exists(requests.resolve(".done/good.json")), () -> "requests " + list(requests));
        assertEquals(Hashes.sha256(ftp.file("reports/good.bin")), Hashes.sha256(harness.downloads().resolve("good.bin")));
        assertFalse(Files.exists(harness.downloads().resolve("huge.bin")));
    }

    private static void assertFailed(Direction d, String server, String remote, Path local, String words) {
        Optional<TransferRecord> r = service.ledger().find(TransferIds.of(d, server, remote, local.toString()));
        assertTrue(r.isPresent(), "no ledger record for " + d + " " + server + ":" + remote + " " + local
                + "; recent: " + service.ledger().recent(20));
        assertEquals(TransferStatus.FAILED, r.get().status(), r.get().toString());
        assertTrue(r.get().reason() != null && r.get().reason().contains(words), r.get().reason());
    }

    private static TransferStatus status(Direction d, String remote, Path local) {
        return service.ledger().find(TransferIds.of(d, "fixture", remote, local.toAbsolutePath().toString()))
                .map(TransferRecord::status).orElse(null);
    }
}
