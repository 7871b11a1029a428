package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload inbox refuses a dropped symbolic link, but it looked only when it took the drop. A drop replaced by a
 * link while it uploads ({@code rm x.bin; ln -s /etc/shadow x.bin}) changed, as the finish's check saw, so it was sent
 * again: through the link, the target's bytes under the drop's name, verified against themselves, moved to .done/. A
 * drop is read without following a link, whenever it is read; it goes to .failed/ saying why.
 */
class DropTurnedLinkTest {
    @TempDir
    Path tmp;

    @Test
    void aDropReplacedByALinkWhileItUploadsIsNotSentThroughTheLink() throws Exception {
        CountDownLatch storing = new CountDownLatch(1);
        CountDownLatch swapped = new CountDownLatch(1);
        DefaultFtplet holdFirstStore = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
                String command = request.getCommand().toUpperCase(Locale.ROOT);
                // the drop's own upload (its temporary name holds its name), not a probe's write test
                if ((command.equals("STOR") || command.equals("APPE")) && storing.getCount() > 0
                        && String.valueOf(request.getArgument()).contains("x.bin")) {
                    storing.countDown();
                    try {
                        swapped.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return FtpletResult.DEFAULT;
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hold", holdFirstStore).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Path secret = PseudoRandomContent.write(tmp.resolve("outside/secret.bin"), 5_000, 2);
            try (FerryService service = harness.start()) {
                Path inbox = Files.createDirectories(harness.uploadInbox());
                Path hidden = PseudoRandomContent.write(inbox.resolve(".x.bin.tmp"), 200_000, 1);
                Path drop = Files.move(hidden, inbox.resolve("x.bin"));
                assertTrue(storing.await(60, TimeUnit.SECONDS), "the upload did not start: " + list(inbox));
                Files.delete(drop);
                Files.createSymbolicLink(drop, secret);
                swapped.countDown();

                Path failed = inbox.resolve(".failed");
                Await.until(Duration.ofSeconds(60), () -> Files.exists(failed.resolve("x.bin.error.txt"))
                        || Files.exists(inbox.resolve(".done/x.bin")), () -> "inbox: " + list(inbox));
                String secretHash = Hashes.sha256(secret);
                try (Stream<Path> all = Files.walk(ftp.root())) {
                    for (Path p : all.filter(Files::isRegularFile).toList()) {
                        assertFalse(secretHash.equals(Hashes.sha256(p)), "the link's target reached the server as " + p);
                    }
                }
                assertFalse(Files.exists(inbox.resolve(".done/x.bin")), "reported done: " + list(inbox));
                String reason = Files.readString(failed.resolve("x.bin.error.txt"));
                assertTrue(reason.contains("symbolic link") && reason.contains("drop the file itself again"), reason);
            }
        }
    }
}
