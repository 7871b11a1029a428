package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A hostile review of local resources: a drop that could not be filed (a file in the way of .done/, the disk full,
 * out of inodes) stayed in the inbox and was taken again at every 50 ms poll -- its transfer step run again, a
 * login, a stack trace or a false "in .done/ already" each time: 100 % of a core and megabytes of log a second for as
 * long as the folder stayed unusable. It waits between tries now, says once what is wrong, and is filed once it can.
 */
class FilingTroubleTest {
    @TempDir
    Path tmp;

    @Test
    void aDropThatCannotBeFiledWaitsBetweenTriesAndIsFiledOnceItCan() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                Path inbox = Files.createDirectories(harness.uploadInbox());
                Path blocker = Files.writeString(inbox.resolve(".done"), "a file where the folder goes");
                Path drop = ServiceHarness.dropInto(inbox, PseudoRandomContent.write(tmp.resolve("staging/stuck.bin"),
                        20_000, 5));
                String hash = Hashes.sha256(drop);
                Await.until(Duration.ofSeconds(30), () -> Files.exists(ftp.file("incoming/stuck.bin")),
                        () -> "not sent: " + list(inbox));
                Thread.sleep(4_000); // the folder stays unusable for a while
                long mentions = log.list.stream().filter(e -> e.getFormattedMessage().contains("stuck.bin")).count();
                assertTrue(mentions <= 20, mentions + " log lines about the drop in about 4 s:\n" + log.list.stream()
                        .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("stuck.bin")).limit(20)
                        .toList());
                assertTrue(log.list.stream().anyMatch(e -> e.getFormattedMessage().contains("stuck.bin cannot be"
                        + " filed")), "no line said why the drop stays in the inbox");
                assertTrue(Files.exists(drop), "the drop left the inbox unfiled");

                Files.delete(blocker);
                Await.until(Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/stuck.bin"))
                        && !Files.exists(drop), () -> "not filed once it could be: " + list(inbox));
                assertEquals(hash, Hashes.sha256(inbox.resolve(".done/stuck.bin")));
                assertEquals(hash, Hashes.sha256(ftp.file("incoming/stuck.bin")));
            }
        } finally {
            root.detachAppender(log);
        }
    }
}
