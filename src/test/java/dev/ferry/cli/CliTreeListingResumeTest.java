package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TreeListings;
import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PublishedTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * get -r killed with SIGKILL after its walk has ended, then run again: the second run resumes from the listing the
 * first left in the ledger (no LIST, MLSD or NLST reaches the server), sends no file that was already published, and
 * the tree is identical; the tree's parent row in the ledger ends DONE with its counts. --relist lists again.
 */
class CliTreeListingResumeTest {
    private static final int FILES = 30;

    @TempDir
    Path tmp;

    private final Map<String, Integer> commands = new ConcurrentHashMap<>();
    private final Map<String, Integer> retrieved = new ConcurrentHashMap<>();

    @Test
    void aKilledTreeResumesFromItsListingInTheLedger() throws Exception {
        // About 0.25 s a file per connection: the walk (three listings) ends long before the files do.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(256 * 1024)
                .ftplet("count", new Count()).start()) {
            for (int i = 0; i < FILES; i++) {
                ftp.write("tree/d" + i % 3 + "/f" + i + ".bin", 64 * 1024 + i, i);
            }
            String url = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + "/tree/";
            Path out = tmp.resolve("out");
            Path ledger = tmp.resolve("ledger");
            List<Path> doneBeforeKill;
            try (ForkedJvm jvm = ForkedJvm.builder(Cli.class)
                    .args("get", "-r", "-q", url, out.toString(), "--ledger", ledger.toString()).start()) {
                Await.until(Duration.ofSeconds(60), () -> PublishedTree.files(out).size() >= 6,
                        () -> "files published before the kill: " + PublishedTree.files(out) + "\n" + jvm.output());
                jvm.kill9();
                doneBeforeKill = PublishedTree.files(out);
            }
            assertTrue(doneBeforeKill.size() < FILES, "the kill came after the whole tree: " + doneBeforeKill);
            assertTrue(listings() >= 3, "the first run listed the tree: " + commands);

            commands.clear();
            int code = get(url, out, ledger);
            assertEquals(0, code);
            assertEquals(0, listings(), "the resumed run listed the server again: " + commands);
            assertEquals(PublishedTree.hashes(ftp.file("tree")), PublishedTree.hashes(out));
            for (Path done : doneBeforeKill) {
                String remote = "/tree/" + out.relativize(done).toString().replace('\\', '/');
                assertEquals(1, retrieved.getOrDefault(remote, 0), remote + " was published before the kill and was"
                        + " sent again: " + retrieved);
            }
            try (Stream<Path> all = Files.walk(out)) {
                List<Path> left = all.filter(p -> p.getFileName().toString().startsWith(".")).toList();
                assertTrue(left.isEmpty(), "a part file is left in the tree: " + left);
            }
            try (JdbcLedger l = JdbcLedger.h2(ledger)) {
                List<TreeListings.TreeRecord> trees = l.treeListings().recent(10);
                assertEquals(1, trees.size(), trees.toString());
                TreeListings.TreeRecord t = trees.get(0);
                assertEquals(TreeListings.DONE, t.status());
                assertEquals(FILES, t.files());
                assertEquals(FILES, t.transferred() + t.skipped());
                assertEquals(doneBeforeKill.size(), t.skipped(), "files already published count as already there");
                assertEquals(0, l.treeListings().page(t.id(), 0, 10).size(), "the listing goes when the tree ends");
            }

            // An ended tree is listed again on its next run (a mirror run sees what changed); so is one asked to.
            commands.clear();
            assertEquals(0, get(url, out, ledger, "--relist"));
            assertTrue(listings() >= 3, "--relist lists the tree: " + commands);
        }
    }

    private int listings() {
        return commands.getOrDefault("LIST", 0) + commands.getOrDefault("MLSD", 0) + commands.getOrDefault("NLST", 0);
    }

    private static int get(String url, Path out, Path ledger, String... more) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("get", "-r", "-q", url, out.toString(), "--ledger",
                ledger.toString()));
        args.addAll(List.of(more));
        int code = Cli.run(args.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(o, true, StandardCharsets.UTF_8));
        assertEquals(0, code, o.toString(StandardCharsets.UTF_8));
        return code;
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
