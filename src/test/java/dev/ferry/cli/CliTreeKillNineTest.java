package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PublishedTree;
import dev.ferry.testing.PseudoRandomContent;
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
 * get -r killed with SIGKILL part way through a tree, then run again: the tree is identical, and no file that was
 * already published before the kill is asked of the server again.
 */
class CliTreeKillNineTest {
    private static final int FILES = 24;

    @TempDir
    Path tmp;

    /** RETRs per remote path, seen by the server. */
    private final Map<String, Integer> retrieved = new ConcurrentHashMap<>();

    @Test
    void aKilledTreeResumesWithoutSendingDoneFilesAgain() throws Exception {
        // Slow enough per connection (about 0.25 s a file) that the kill lands with some files done and some not.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(256 * 1024)
                .ftplet("retr-count", new RetrCount()).start()) {
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

            ByteArrayOutputStream o = new ByteArrayOutputStream();
            int code = Cli.run(new String[] {"get", "-r", "-q", url, out.toString(), "--ledger", ledger.toString()},
                    new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(o, true, StandardCharsets.UTF_8));
            assertEquals(0, code, o.toString(StandardCharsets.UTF_8));

            assertEquals(PublishedTree.hashes(ftp.file("tree")), PublishedTree.hashes(out));
            for (Path done : doneBeforeKill) {
                String remote = "/tree/" + out.relativize(done).toString().replace('\\', '/');
                assertEquals(1, retrieved.getOrDefault(remote, 0), remote + " was published before the kill and was"
                        + " sent again: " + retrieved);
            }
            try (Stream<Path> all = Files.walk(out)) {
                assertFalse(all.anyMatch(p -> p.getFileName().toString().startsWith(".")),
                        "a part file is left in the tree");
            }
        }
    }



    private final class RetrCount extends DefaultFtplet {
        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
            if ("RETR".equalsIgnoreCase(request.getCommand())) {
                retrieved.merge(request.getArgument(), 1, Integer::sum);
            }
            return FtpletResult.DEFAULT;
        }
    }
}
