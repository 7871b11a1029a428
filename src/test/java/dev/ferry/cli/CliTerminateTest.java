package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl-C does to a JVM too) in the middle of a command's download: the process ends promptly, nothing
 * is published under the final name, and the same command run again resumes from what the stopped run recorded.
 */
class CliTerminateTest {
    private static final int KIB = 1024;

    @TempDir
    Path tmp;

    @Test
    void aTerminatedGetEndsPromptlyAndTheSameCommandResumes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(256 * KIB).start()) {
            Path source = ftp.write("big.bin", 6L * 1024 * KIB, 42);
            String url = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port()
                    + "/big.bin";
            Path target = tmp.resolve("big.bin");
            String[] args = {"get", "--verbose", "--ledger", tmp.resolve("ledger").toString(), url, target.toString()};
            try (ForkedJvm jvm = ForkedJvm.builder(Cli.class).args(args).logFile(tmp.resolve("first.log"))
                    .systemProperty("logback.configurationFile", "logback.xml").start()) {
                jvm.awaitLine(l -> l.contains(" started: "), Duration.ofSeconds(60));
                // A sixth of the file on the wire before the stop, so there is something to resume from.
                Await.until(Duration.ofSeconds(60), () -> ftp.bytesSent() >= 1024 * KIB,
                        () -> "the download did not get going: " + ftp.bytesSent() + " bytes sent");
                jvm.terminate(Duration.ofSeconds(20));
                assertFalse(jvm.isAlive(), "the command outlived SIGTERM by 20 s\n" + String.join("\n", jvm.output()));
                assertEquals(1, jvm.output().stream().filter(l -> l.startsWith("ferry: stopped")
                        && l.contains("run the same command again")).count(), "one line says why it stopped:\n"
                        + String.join("\n", jvm.output()));
            }
            assertFalse(Files.exists(target), "nothing under the final name after a stop");
            long sentBefore = ftp.bytesSent();
            assertTrue(sentBefore > 0 && sentBefore < Files.size(source), "stopped mid-file: " + sentBefore);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(new String[] {"get", "--ledger", tmp.resolve("ledger").toString(), url,
                    target.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.DONE.code, code, text);
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(text.contains("resumed with"), "the second run resumed: " + text);
            long again = ftp.bytesSent() - sentBefore;
            assertTrue(again < Files.size(source), "the second run sent " + again + " bytes of "
                    + Files.size(source) + ": it started over");
        }
    }
}
