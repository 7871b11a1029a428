package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of local resources: the request inbox moved away while the service ran (and a folder made again at
 * its path) took the service's lock with it; the service went on with the new folder unlocked, a second service
 * started on it, and 8 of 20 requests ran in both, filed in .done/ and .failed/ at once. The service locks the new
 * folder; where another service holds it already, this one stops taking it.
 */
class InboxMovedAwayTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void theNewFolderAtTheInboxPathIsLockedByTheService() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                Path inbox = harness.requestInbox();
                Files.move(inbox, tmp.resolve("requests-moved"));
                Files.createDirectories(inbox);
                // This JVM's own lock on the new folder's lock file shows as OverlappingFileLockException.
                Await.until(WAIT, () -> heldHere(inbox), () -> "the new folder is not locked: " + list(inbox));
            }
        }
    }

    @Test
    void whenAnotherServiceHoldsTheNewFolderThisOneStopsTakingIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                Path inbox = harness.requestInbox();
                Files.move(inbox, tmp.resolve("requests-moved"));
                Files.createDirectories(inbox);
                // The other service: its lock on the new folder, taken before this one looks again.
                try (FileChannel other = FileChannel.open(inbox.resolve(InboxLocks.LOCK_FILE),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = other.lock()) {
                    Await.until(WAIT, () -> service.camelContext().getRouteController()
                            .getRouteStatus("ferry-request-files") == ServiceStatus.Stopped,
                            () -> "still taking the other service's inbox");
                    ServiceHarness.writeJson(inbox, "theirs.json", "{\"remotePath\":\"/x.bin\"}");
                    Thread.sleep(1_000); // a poll is 50 ms: the request would be taken and answered by now
                    assertTrue(Files.exists(inbox.resolve("theirs.json")), "this service took the other's request");
                    assertFalse(Files.exists(inbox.resolve(".failed")), list(inbox));
                }
            }
        }
    }

    private static boolean heldHere(Path inbox) {
        try (FileChannel ch = FileChannel.open(inbox.resolve(InboxLocks.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                lock.release();
                return false;
            }
            return false;
        } catch (OverlappingFileLockException held) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
