package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ferry.inbox.follow-links=true: a dropped link to a regular file is uploaded (its target's bytes). */
class ServiceFollowLinksTest {
    @TempDir
    Path tmp;

    @Test
    void withFollowLinksALinkedRegularFileIsUploaded() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.inbox.follow-links", "true");
            Path target = PseudoRandomContent.write(tmp.resolve("elsewhere/report.bin"), 70_000, 1);
            try (FerryService service = harness.start()) {
                Files.createDirectories(harness.uploadInbox());
                Files.createSymbolicLink(harness.uploadInbox().resolve("linked.bin"), target);
                Await.until(Duration.ofSeconds(60), () -> Files.exists(ftp.file("incoming/linked.bin"))
                        && Files.exists(harness.uploadInbox().resolve(".done/linked.bin")),
                        () -> "inbox: " + list(harness.uploadInbox()));
                assertEquals(Hashes.sha256(target), Hashes.sha256(ftp.file("incoming/linked.bin")));
                assertTrue(Files.isRegularFile(target), "the link's target stays where it is");
            }
        }
    }
}
