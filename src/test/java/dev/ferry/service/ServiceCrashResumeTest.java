package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service in its own JVM, killed with SIGKILL in the middle of an upload, then started again: it finishes the
 * transfer with no new drop, resuming from what the server already has.
 */
class ServiceCrashResumeTest {
    private static final long SIZE = 40L << 20;
    private static final Pattern PERCENT = Pattern.compile(" progress: (\\d+)%");

    @TempDir
    Path tmp;

    @Test
    void killedInTheMiddleOfAnUploadFinishesAfterARestart() throws Exception {
        // 8 MiB/s per connection: the 40 MiB upload takes about five seconds, long enough to be killed half-way.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(8 << 20).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            // The password from the environment this time, not from secrets.properties.
            harness.secrets.clear();
            harness.writeConfig();
            Path staged = PseudoRandomContent.write(tmp.resolve("staging/crash.bin"), SIZE, 99);
            String sha = Hashes.sha256(staged);

            try (ForkedJvm first = harness.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                ServiceHarness.dropInto(harness.uploadInbox(), staged);
                first.awaitLine(l -> percent(l) >= 10, Duration.ofSeconds(60));
                assertEquals(137, first.kill9());
            }
            long beforeRestart = ftp.bytesReceived();
            assertTrue(beforeRestart > 0 && beforeRestart < SIZE, "killed mid-way: " + beforeRestart + " bytes");
            assertTrue(Files.exists(harness.uploadInbox().resolve("crash.bin")), "the drop is still in the inbox");

            try (ForkedJvm second = harness.fork(ftp, "second")) {
                Path done = harness.uploadInbox().resolve(".done/crash.bin");
                Await.until(Duration.ofSeconds(60), () -> Files.exists(done),
                        () -> "inbox: " + list(harness.uploadInbox()) + "\n" + String.join("\n", second.output()));
                assertEquals(sha, Hashes.sha256(ftp.file("incoming/crash.bin")));
                long resent = ftp.bytesReceived() - SIZE;
                System.out.printf("crash resume: %d bytes before the kill, %d of %d bytes sent again after the restart%n",
                        beforeRestart, resent, SIZE);
                assertTrue(resent < beforeRestart, "resumed rather than started over: " + resent + " sent again");
                second.awaitLine(l -> l.contains(" published: /incoming/crash.bin"), Duration.ofSeconds(10));
            }
        }
    }


    private static int percent(String line) {
        Matcher m = PERCENT.matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
