package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PublishedTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service, in its own JVM, killed with SIGKILL in the middle of a folder request; started again, it takes the
 * request file again and resumes the tree from the listing in its ledger: no listing command reaches the server, no
 * file published before the kill is read again, and the tree is identical. Files larger than a tree's batch are
 * unfinished transfers in the ledger at the kill: they resume with their tree, not beside it (start-up recovery ran
 * them alone too, and the two runs raced for one part file).
 */
class ServiceTreeKillNineTest {
    private static final int FILES = 30;
    private static final int LARGE_FILES = 10;

    @TempDir
    Path tmp;

    private final Map<String, Integer> commands = new ConcurrentHashMap<>();
    private final Map<String, Integer> retrieved = new ConcurrentHashMap<>();

    @Test
    void aKilledServiceResumesAFolderRequestFromItsListing() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(256 * 1024)
                .ftplet("count", new Count()).start()) {
            for (int i = 0; i < FILES; i++) {
                ftp.write("tree/d" + i % 3 + "/f" + i + ".bin", 64 * 1024 + i, i);
            }
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.writeConfig();
            Path out = harness.downloads().resolve("tree");
            List<Path> doneBeforeKill;
            try (ForkedJvm first = harness.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                ServiceHarness.writeJson(harness.requestInbox(), "tree.json",
                        "{\"server\":\"fixture\",\"remotePath\":\"/tree/\",\"localPath\":\"tree\"}");
                Await.until(Duration.ofSeconds(60), () -> PublishedTree.files(out).size() >= 6,
                        () -> "published: " + PublishedTree.files(out) + "\n" + String.join("\n", first.output()));
                assertEquals(137, first.kill9());
                doneBeforeKill = PublishedTree.files(out);
            }
            assertTrue(doneBeforeKill.size() < FILES, "the kill came after the whole tree: " + doneBeforeKill);
            assertTrue(listings() >= 3, "the first run listed the tree: " + commands);

            commands.clear();
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                Await.until(Duration.ofSeconds(120),
                        () -> Files.exists(harness.requestInbox().resolve(".done/tree.json")),
                        () -> "requests: " + list(harness.requestInbox()) + "\n" + String.join("\n", last.output()));
            }
            assertEquals(0, listings(), "the restarted service listed the server again: " + commands);
            assertEquals(PublishedTree.hashes(ftp.file("tree")), PublishedTree.hashes(out));
            for (Path done : doneBeforeKill) {
                String remote = "/tree/" + out.relativize(done).toString().replace('\\', '/');
                assertEquals(1, retrieved.getOrDefault(remote, 0), remote + " was published before the kill and was"
                        + " sent again: " + retrieved);
            }
        }
    }

    @Test
    void theLargeFilesAKillInterruptedResumeOnceWithTheirTreeAndNoneFails() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(512 * 1024).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Path out = killMidTreeOfLargeFiles(ftp, harness);
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                String url = treeFilesUrl(last, out);
                Path done = harness.requestInbox().resolve(".done/big.json");
                Path failed = harness.requestInbox().resolve(".failed/big.json");
                Await.until(Duration.ofSeconds(120), () -> Files.exists(done) || Files.exists(failed),
                        () -> "requests: " + list(harness.requestInbox()) + "\n" + String.join("\n", last.output()));
                // The tree answered for its request; every file's transfer has ended too (none still runs beside it).
                String states = endedStates(url, LARGE_FILES, last);
                assertTrue(Files.exists(done), "the request failed: " + ServiceHarness.list(harness.requestInbox())
                        + "\n" + String.join("\n", last.output()));
                assertEquals(String.join(",", java.util.Collections.nCopies(LARGE_FILES, "done")), states,
                        () -> "every file's transfer ends published, none failed:\n" + warnings(last));
            }
            assertEquals(PublishedTree.hashes(ftp.file("big")), PublishedTree.hashes(out));
            assertEquals(List.of(), partFiles(out), "part files left behind");
        }
    }

    @Test
    void aFileWhoseTreeWillNotRunAgainResumesAloneAndTheTreeAskedForAgainWaitsForIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(512 * 1024).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Path out = killMidTreeOfLargeFiles(ftp, harness);
            // The request is withdrawn while the service is down: nothing will run the tree again.
            Path request = Files.move(harness.requestInbox().resolve("big.json"), tmp.resolve("big.json"));
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                String url = treeFilesUrl(last, out);
                // So the files the kill cut short resume on their own (and are not forgotten)...
                String[] states = new String[1];
                Await.until(Duration.ofSeconds(60), () -> {
                    states[0] = fileStates(url);
                    return states[0].contains("active") || states[0].matches("done(,done)+");
                }, () -> "the tree's files: " + states[0] + "\n" + String.join("\n", last.output()));
                String tree = fetch(url.replace("api/transfers?tree=", "api/transfers/"));
                assertTrue(tree.contains("INTERRUPTED"), "the tree that will not run again shows so: " + tree);

                // ...and the same folder asked for again while they run waits for each, then sends the rest.
                ServiceHarness.dropInto(harness.requestInbox(), request);
                Path done = harness.requestInbox().resolve(".done/big.json");
                Path failed = harness.requestInbox().resolve(".failed/big.json");
                Await.until(Duration.ofSeconds(120), () -> Files.exists(done) || Files.exists(failed),
                        () -> "requests: " + list(harness.requestInbox()) + "\n" + String.join("\n", last.output()));
                String ended = endedStates(url, LARGE_FILES, last);
                assertTrue(Files.exists(done), "the request failed: " + ServiceHarness.list(harness.requestInbox())
                        + "\n" + warnings(last));
                assertEquals(String.join(",", java.util.Collections.nCopies(LARGE_FILES, "done")), ended,
                        () -> "every file's transfer ends published, none failed:\n" + warnings(last));
            }
            assertEquals(PublishedTree.hashes(ftp.file("big")), PublishedTree.hashes(out));
            assertEquals(List.of(), partFiles(out), "part files left behind");
        }
    }

    /**
     * Starts the service on a folder request of {@link #LARGE_FILES} files each past the tree's 1 MiB batch bound
     * (so each is a transfer of its own, recorded as it runs) and kills it with SIGKILL once two are published and
     * two more are under way. Returns the tree's local folder.
     */
    private static Path killMidTreeOfLargeFiles(FtpServerFixture ftp, ServiceHarness harness) throws Exception {
        for (int i = 0; i < LARGE_FILES; i++) {
            ftp.write("big/d" + i % 2 + "/f" + i + ".bin", (1200 + 200L * i) * 1024, 100 + i);
        }
        harness.writeConfig();
        Path out = harness.downloads().resolve("big");
        try (ForkedJvm first = harness.fork(ftp, "first")) {
            first.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
            ServiceHarness.writeJson(harness.requestInbox(), "big.json",
                    "{\"server\":\"fixture\",\"remotePath\":\"/big/\",\"localPath\":\"big\"}");
            Await.until(Duration.ofSeconds(60),
                    () -> PublishedTree.files(out).size() >= 2 && partFiles(out).size() >= 2,
                    () -> "published: " + PublishedTree.files(out) + ", part files: " + partFiles(out) + "\n"
                            + String.join("\n", first.output()));
            assertEquals(137, first.kill9());
        }
        assertTrue(PublishedTree.files(out).size() < LARGE_FILES, "the kill came after the whole tree");
        return out;
    }

    /** GET /api/transfers?tree=&lt;id&gt; of the service's status page, for the tree downloading into {@code out}. */
    private static String treeFilesUrl(ForkedJvm service, Path out) {
        java.util.regex.Matcher page = java.util.regex.Pattern.compile("Status page:\\s+(http://\\S+)")
                .matcher(service.awaitLine(l -> l.contains("Status page:"), Duration.ofSeconds(60)));
        assertTrue(page.find());
        String tree = dev.ferry.tree.TreeRun.idOf(dev.ferry.plan.Direction.DOWNLOAD, "fixture", "/big",
                out.toAbsolutePath().normalize());
        return page.group(1) + "api/transfers?tree="
                + java.net.URLEncoder.encode(tree, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Waits until {@code count} (any number if negative) of the tree's files have transfers and none is unfinished. */
    private static String endedStates(String url, int count, ForkedJvm service) {
        String[] states = new String[1];
        Await.until(Duration.ofSeconds(60), () -> {
            states[0] = fileStates(url);
            return (count < 0 || states[0].split(",").length == count)
                    && !states[0].matches(".*(active|queued|interrupted).*");
        }, () -> "states of the tree's files: " + states[0] + "\n" + String.join("\n", service.output()));
        return states[0];
    }

    private static String warnings(ForkedJvm service) {
        return String.join("\n", service.output().stream().filter(l -> l.contains("WARN") || l.contains("ERROR"))
                .limit(20).toList());
    }

    private static String fetch(String url) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Each of the tree's files' transfer state, as the API shows it. */
    private static String fileStates(String url) {
        try {
            List<String> states = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode t : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(fetch(url)).path("transfers")) {
                states.add(t.path("state").asText());
            }
            return String.join(",", states);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static List<Path> partFiles(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(); // a part file renamed while walked: looked at again on the next poll
        }
    }

    private int listings() {
        return commands.getOrDefault("LIST", 0) + commands.getOrDefault("MLSD", 0) + commands.getOrDefault("NLST", 0);
    }



    private static String list(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private final class Count extends DefaultFtplet {
        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
            String command = request.getCommand().toUpperCase(java.util.Locale.ROOT);
            commands.merge(command, 1, Integer::sum);
            if ("RETR".equals(command)) {
                retrieved.merge(request.getArgument(), 1, Integer::sum);
            }
            return FtpletResult.DEFAULT;
        }
    }
}
