package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.dropInto;
import static dev.ferry.service.ServiceHarness.list;
import static dev.ferry.service.ServiceHarness.read;
import static dev.ferry.service.ServiceHarness.writeJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferIds;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, items 3, 5 and 7 as a user meets them: every drop is answered (a folder, a name that is not UTF-8, a name
 * too long for its reason file), a cancelled drop can be resumed or given up, and bad request files are refused in
 * words. The real service with the real route files, against the embedded FTP server at 256 KiB/s per connection.
 */
class ServiceDropsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static ServiceHarness harness;
    static FerryService service;
    private final HttpClient http = HttpClient.newHttpClient();
    private ListAppender<ILoggingEvent> log;

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

    @BeforeEach
    void captureLog() {
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    }

    @Test
    void aFolderAnUndecodableNameAndAVeryLongNameAreEachAnsweredInFailedWithAReason() throws Exception {
        Path inbox = harness.uploadInbox();
        Path failed = inbox.resolve(".failed");
        // mkdir proj proj/sub; echo a > proj/a.txt -- built aside and moved in, as a person's file manager does.
        Path staging = tmp.resolve("staging-odd");
        Files.createDirectories(staging.resolve("proj/sub"));
        Files.writeString(staging.resolve("proj/a.txt"), "a");
        dropInto(inbox, staging.resolve("proj"));
        // A folder with something that cannot be sent: the tree's other files go, the folder goes to .failed/.
        Files.createDirectories(staging.resolve("linked/d"));
        Files.writeString(staging.resolve("linked/d/ok.txt"), "ok");
        Files.createSymbolicLink(staging.resolve("linked/d/elsewhere"), Path.of("/etc"));
        dropInto(inbox, staging.resolve("linked"));
        // printf hello > caf$'\xe9'.txt: a Latin-1 name, which Java cannot name as a String.
        Process sh = new ProcessBuilder("/bin/sh", "-c", "printf hello > \"$(printf 'caf\\351.txt')\"")
                .directory(inbox.toFile()).inheritIO().start();
        assertEquals(0, sh.waitFor());
        // A name of 254 bytes that fails (its name is taken on the server): its reason file's name would be too long.
        // (It once failed for its part file's name alone, 20 bytes longer; such names are now sent: LongNameTest.)
        String longName = "n".repeat(250) + ".txt";
        ftp.write("incoming/" + longName, 5, 13);
        Files.writeString(staging.resolve(longName), "long");
        dropInto(inbox, staging.resolve(longName));

        Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/proj/a.txt"))
                        && Files.exists(failed.resolve("linked.error.txt"))
                        && Files.exists(failed.resolve("caf%E9.txt.error.txt"))
                        && reasonFileOf(failed, "nnnnnnnnnn") != null
                        && Files.exists(failed.resolve(longName)),
                () -> "inbox: " + list(inbox));

        // Issue 18: a folder is uploaded as a tree, under its own name in the remote-dir, then moves to .done/ whole.
        assertEquals("a", read(ftp.file("incoming/proj/a.txt")), "the server's copy");
        assertEquals("a", read(inbox.resolve(".done/proj/a.txt")), "the folder moved whole");
        assertTrue(Files.isDirectory(inbox.resolve(".done/proj/sub")));
        assertEquals("ok", read(ftp.file("incoming/linked/d/ok.txt")), "the rest of a refused folder still went");
        assertTrue(Files.isSymbolicLink(failed.resolve("linked/d/elsewhere")), "the folder moved whole");
        String folder = read(failed.resolve("linked.error.txt"));
        assertTrue(folder.contains("refused d/elsewhere: a symbolic link") && folder.contains("drop the folder again"),
                folder);
        String badName = read(failed.resolve("caf%E9.txt.error.txt"));
        assertTrue(badName.contains("not valid UTF-8") && badName.contains("rename"), badName);
        // The file itself, under its own name byte for byte (it was renamed to the UTF-8 of U+FFFD on the way).
        Process kept = new ProcessBuilder("/bin/sh", "-c", "test -f \"$(printf 'caf\\351.txt')\"")
                .directory(failed.toFile()).inheritIO().start();
        assertEquals(0, kept.waitFor(), "caf\\351.txt in .failed: " + list(failed));
        assertFalse(Files.exists(failed.resolve("caf\uFFFD.txt")), "renamed: " + list(failed));
        Path reason = reasonFileOf(failed, "nnnnnnnnnn");
        assertTrue(reason.getFileName().toString().length() <= 255, reason.toString());
        String longReason = read(reason);
        assertTrue(longReason.contains(longName) && longReason.contains("shortened")
                && longReason.contains("already exists"), longReason);
        assertEquals("long", read(failed.resolve(longName)), "the drop itself, under its own name");
        try (Stream<Path> s = Files.list(inbox)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList(),
                    "nothing left unanswered in the inbox");
        }
        // Each answered in one log line; no stack trace.
        assertEquals(0, count("proj"), lines());
        assertEquals(1, count("folder linked"), lines());
        assertEquals(1, count("caf%E9.txt"), lines());
        assertEquals(List.of(), stackTraces(), "a stack trace was logged:\n" + lines());
    }

    /**
     * A name with a line break (no FTP server may be sent one: it would end the command) goes to .failed/, and its
     * reason file names it with the break shown as \\u000a: the reason's lines are Ferry's, not the name's.
     */
    @Test
    void aNameWithALineBreakIsRefusedAndItsReasonKeepsItToOneLine() throws Exception {
        Path inbox = harness.uploadInbox();
        String name = "two\nlines.bin";
        Files.createDirectories(tmp.resolve("staging-break"));
        Files.writeString(tmp.resolve("staging-break").resolve(name), "x", StandardCharsets.UTF_8);
        dropInto(inbox, tmp.resolve("staging-break").resolve(name));
        Path reason = inbox.resolve(".failed").resolve(name + ".error.txt");
        Await.until(WAIT, () -> Files.exists(reason) && Files.exists(inbox.resolve(".failed").resolve(name)),
                () -> "inbox: " + list(inbox));
        List<String> lines = Files.readAllLines(reason, StandardCharsets.UTF_8);
        assertTrue(lines.get(0).endsWith(" Ferry could not transfer two\\u000alines.bin:"), lines.toString());
        assertTrue(lines.get(1).contains("two\\u000alines.bin") && lines.get(1).contains("control character")
                && lines.get(1).contains("rename it"), lines.toString());
    }

    @Test
    void aCancelledDropIsKeptAsideAndResumesToAByteIdenticalCopy() throws Exception {
        Path inbox = harness.uploadInbox();
        Path staging = tmp.resolve("staging-resume");
        Path source = PseudoRandomContent.write(staging.resolve("resume.bin"), 3L << 20, 71);
        String hash = Hashes.sha256(source);
        String id = TransferIds.of(Direction.UPLOAD, "fixture", "/incoming/resume.bin",
                inbox.resolve("resume.bin").toAbsolutePath().toString());
        dropInto(inbox, source);
        Await.until(WAIT, () -> transfer(id).path("bytesDone").asLong() >= 256 << 10, () -> transfer(id).toString());

        HttpResponse<String> cancel = post("api/transfers/" + id + "/cancel");
        assertEquals(202, cancel.statusCode(), cancel.body());
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".cancelled/resume.bin"))
                && "cancelled".equals(transfer(id).path("state").asText()), () -> "inbox: " + list(inbox));
        assertFalse(Files.exists(inbox.resolve(".failed/resume.bin")), "a cancel is not a failure: " + list(inbox));
        assertTrue(transfer(id).path("resumable").asBoolean(), transfer(id).toString());

        HttpResponse<String> resume = post("api/transfers/" + id + "/resume");
        assertEquals(202, resume.statusCode(), resume.body());
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/resume.bin")), () -> "inbox: " + list(inbox));
        assertEquals(hash, Hashes.sha256(ftp.file("incoming/resume.bin")), "the server's copy");
        assertEquals(hash, Hashes.sha256(inbox.resolve(".done/resume.bin")));
        assertEquals(TransferStatus.PUBLISHED, service.ledger().find(id).orElseThrow().status());
        assertFalse(Files.exists(inbox.resolve(".cancelled/resume.bin")));
        assertTrue(service.ledger().find(id).orElseThrow().bytesMoved() < (3L << 20) + (1L << 20),
                "resumed, not sent again from the start: " + service.ledger().find(id).orElseThrow());
        assertEquals(List.of(), stackTraces(), "a stack trace was logged:\n" + lines());
    }

    /**
     * Two drops of one name, each cancelled: the second's move into .cancelled/ replaced the first there, which then
     * existed nowhere. The first now goes to .failed/ with a reason; the second waits in .cancelled/ until a third
     * is sent.
     */
    @Test
    void aSecondCancelledDropOfOneNameKeepsTheFirstInFailed() throws Exception {
        Path inbox = harness.uploadInbox();
        String id = TransferIds.of(Direction.UPLOAD, "fixture", "/incoming/twice.bin",
                inbox.resolve("twice.bin").toAbsolutePath().toString());
        String[] hashes = new String[2];
        for (int i = 0; i < 2; i++) {
            Path source = PseudoRandomContent.write(tmp.resolve("staging-twice-" + i).resolve("twice.bin"), 3L << 20,
                    73 + i);
            hashes[i] = Hashes.sha256(source);
            long before = service.ledger().find(id).map(r -> r.updated().toEpochMilli()).orElse(0L);
            dropInto(inbox, source);
            Await.until(WAIT, () -> transfer(id).path("bytesDone").asLong() >= 256 << 10
                            && service.ledger().find(id).map(r -> r.updated().toEpochMilli() > before).orElse(false)
                            && "active".equals(transfer(id).path("state").asText()),
                    () -> transfer(id).toString());
            assertEquals(202, post("api/transfers/" + id + "/cancel").statusCode());
            String hash = hashes[i];
            Await.until(WAIT, () -> Files.exists(inbox.resolve(".cancelled/twice.bin"))
                    && !Files.exists(inbox.resolve("twice.bin"))
                    && hash.equals(Hashes.sha256(inbox.resolve(".cancelled/twice.bin"))), () -> "inbox: " + list(inbox));
        }
        assertEquals(hashes[0], Hashes.sha256(inbox.resolve(".failed/twice.bin")), "the first drop, kept");
        String reason = read(inbox.resolve(".failed/twice.bin.error.txt"));
        assertTrue(reason.contains("a later file of the same name was cancelled too"), reason);

        // A third drop of the name is sent: the second, still waiting in .cancelled/, could no longer be resumed or
        // given up (its transfer was the third's, done: 409 both) and waited there for ever. It goes to .failed/.
        Path third = PseudoRandomContent.write(tmp.resolve("staging-twice-2").resolve("twice.bin"), 100 << 10, 75);
        String thirdHash = Hashes.sha256(third);
        dropInto(inbox, third);
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".done/twice.bin"))
                && Files.exists(inbox.resolve(".failed/twice.bin.2.error.txt")), () -> "inbox: " + list(inbox));
        assertEquals(thirdHash, Hashes.sha256(ftp.file("incoming/twice.bin")), "the third drop, sent");
        assertEquals(hashes[1], Hashes.sha256(inbox.resolve(".failed/twice.bin.2")), "the second drop, kept");
        assertTrue(read(inbox.resolve(".failed/twice.bin.2.error.txt")).contains("sent meanwhile"));
        assertFalse(Files.exists(inbox.resolve(".cancelled/twice.bin")), list(inbox));
    }

    @Test
    void aCancelledDropGivenUpGoesToFailedAndItsTemporaryFileLeavesTheServer() throws Exception {
        Path inbox = harness.uploadInbox();
        Path staging = tmp.resolve("staging-discard");
        dropInto(inbox, PseudoRandomContent.write(staging.resolve("discard.bin"), 3L << 20, 72));
        String id = TransferIds.of(Direction.UPLOAD, "fixture", "/incoming/discard.bin",
                inbox.resolve("discard.bin").toAbsolutePath().toString());
        Await.until(WAIT, () -> transfer(id).path("bytesDone").asLong() >= 256 << 10, () -> transfer(id).toString());
        assertEquals(202, post("api/transfers/" + id + "/cancel").statusCode());
        Await.until(WAIT, () -> Files.exists(inbox.resolve(".cancelled/discard.bin"))
                && "cancelled".equals(transfer(id).path("state").asText()), () -> "inbox: " + list(inbox));
        assertFalse(temporaries("discard.bin").isEmpty(), "a partial copy is on the server before the discard");

        HttpResponse<String> discard = post("api/transfers/" + id + "/discard");
        assertEquals(200, discard.statusCode(), discard.body());
        assertTrue(Files.exists(inbox.resolve(".failed/discard.bin")), list(inbox));
        String reason = read(inbox.resolve(".failed/discard.bin.error.txt"));
        assertTrue(reason.contains("given up"), reason);
        assertEquals(List.of(), temporaries("discard.bin"), "the partial copy left the server");
        assertFalse(Files.exists(ftp.file("incoming/discard.bin")));
        JsonNode t = transfer(id);
        assertEquals("failed", t.path("state").asText(), t.toString());
        assertFalse(t.path("resumable").asBoolean(true), t.toString());
        assertEquals(409, post("api/transfers/" + id + "/resume").statusCode(), "nothing left to resume");
    }

    @Test
    void badRequestFilesGoToFailedWithAReasonAPersonCanAct() throws Exception {
        Path inbox = harness.requestInbox();
        Path failed = inbox.resolve(".failed");
        writeJson(inbox, "rate.json", "{\"remotePath\":\"/r/a.bin\",\"options\":{\"rateLimit\":-5}}");
        writeJson(inbox, "attempts.json", "{\"remotePath\":\"/r/a.bin\",\"options\":{\"maxAttempts\":-1}}");
        writeJson(inbox, "fraction.json", "{\"remotePath\":\"/r/a.bin\",\"options\":{\"segments\":4.7}}");
        writeJson(inbox, "garbage.json", "{\"remotePath\":\"/r/a.bin\"} trailing garbage");
        // "café" in Latin-1, as an old editor saves it.
        Files.write(inbox.resolve(".latin1.tmp"), "{\"remotePath\":\"/r/caf\u00e9.bin\"}"
                .getBytes(StandardCharsets.ISO_8859_1));
        Files.move(inbox.resolve(".latin1.tmp"), inbox.resolve("latin1.json"));
        writeJson(inbox, "huge.json", "{\"remotePath\":\"/r/a.bin\",\"localPath\":\"" + "x".repeat(100_000) + "\"}");

        String[][] expected = {
                {"rate.json", "field 'options.rateLimit' must be 0 (no limit) or more, found -5"},
                {"attempts.json", "field 'options.maxAttempts' must be 1 or more, found -1"},
                {"fraction.json", "field 'options.segments'"},
                {"garbage.json", "garbage"},
                {"latin1.json", "not valid UTF-8"},
                {"huge.json", "request file too large (max 64 KiB)"}};
        // The reason is written just before the drop is moved next to it: wait for both.
        Await.until(WAIT, () -> Stream.of(expected).allMatch(e -> Files.exists(failed.resolve(e[0] + ".error.txt"))
                        && Files.exists(failed.resolve(e[0]))), () -> "inbox: " + list(inbox));
        for (String[] e : expected) {
            String reason = read(failed.resolve(e[0] + ".error.txt"));
            assertTrue(reason.contains(e[1]), e[0] + ": " + reason);
            assertTrue(reason.length() < 600, e[0] + " has a reason a person reads, not a dump: " + reason);
            assertTrue(Files.exists(failed.resolve(e[0])), list(inbox));
        }
        assertEquals(List.of(), stackTraces(), "a stack trace was logged:\n" + lines());
    }

    @Test
    void aCancelledApiTransferIsLoggedInOneLineWithoutAStackTrace() throws Exception {
        ftp.write("api/slow.bin", 2L << 20, 73);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.webUrl() + "api/transfers"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"remotePath\":\"/api/slow.bin\",\"localPath\":\"api/slow.bin\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        String id = JSON.readTree(r.body()).get("id").asText();
        Await.until(WAIT, () -> transfer(id).path("bytesDone").asLong() >= 128 << 10, () -> transfer(id).toString());
        assertEquals(202, post("api/transfers/" + id + "/cancel").statusCode());
        Await.until(WAIT, () -> "cancelled".equals(transfer(id).path("state").asText()), () -> transfer(id).toString());
        Await.until(WAIT, () -> log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(id)
                && e.getFormattedMessage().contains("cancelled")), this::lines);
        assertEquals(List.of(), stackTraces(), "a stack trace was logged:\n" + lines());
    }

    @Test
    void aBadRequestMessageOnTheQueueIsRefusedInOneLineNamingTheField() {
        service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests",
                "{\"remotePath\":\"/r/q.bin\",\"options\":{\"rateLimit\":-5}}");
        Await.until(WAIT, () -> log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
                "field 'options.rateLimit' must be 0 (no limit) or more, found -5")), this::lines);
        assertEquals(List.of(), stackTraces(), "a stack trace was logged:\n" + lines());
    }

    private static Path reasonFileOf(Path failed, String prefix) {
        try (Stream<Path> s = Files.list(failed)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".error.txt")).findFirst().orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static List<String> temporaries(String name) throws java.io.IOException {
        try (Stream<Path> s = Files.list(ftp.file("incoming"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + name)).toList();
        }
    }

    /** Ferry's and Camel's log lines with a stack trace (the FTP server's own are its business). */
    private List<String> stackTraces() {
        return List.copyOf(log.list).stream().filter(e -> e.getThrowableProxy() != null
                        && e.getLevel().isGreaterOrEqual(Level.INFO)
                        && (e.getLoggerName().startsWith("dev.ferry")
                                || e.getLoggerName().startsWith("org.apache.camel")))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private long count(String text) {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                && e.getFormattedMessage().contains(text)).count();
    }

    private String lines() {
        StringBuilder b = new StringBuilder();
        for (ILoggingEvent e : List.copyOf(log.list)) {
            b.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ").append(e.getFormattedMessage())
                    .append(e.getThrowableProxy() == null ? "" : " [+ stack trace " + e.getThrowableProxy()
                            .getClassName() + "]").append('\n');
        }
        return b.toString();
    }

    private JsonNode transfer(String id) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.webUrl() + "api/transfers/"
                    + id)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            return JSON.createObjectNode().put("error", e.toString());
        }
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(service.webUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
