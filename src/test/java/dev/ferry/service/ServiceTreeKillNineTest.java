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
 * file published before the kill is read again, and the tree is identical.
 */
class ServiceTreeKillNineTest {
    private static final int FILES = 30;

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
