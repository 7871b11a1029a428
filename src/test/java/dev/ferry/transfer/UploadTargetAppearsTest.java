package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: under the default fileExist Fail, a file another client put at the final name while a large
 * upload ran was replaced by the rename (vsftpd's RNTO replaces), exit 0, the other file lost. The name is asked
 * again before the rename of an upload that took a while; the other file is kept and the upload fails saying so.
 */
class UploadTargetAppearsTest {
    @TempDir
    Path tmp;

    @Test
    void aFileThatAppearsAtTheFinalNameDuringTheUploadIsKept() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("appear.bin"), 3_000_000, 6);
            CompletableFuture<TransferResult> upload = h.runAsync(h.upload(source, "/appear.bin",
                    EngineHarness.slow(1_000_000)));
            Await.until(Duration.ofSeconds(20), () -> ftp.bytesReceived() > 1_000_000,
                    () -> "the upload did not get going: " + ftp.bytesReceived());
            Files.writeString(ftp.file("appear.bin"), "someone else's file\n");

            ExecutionException failed = assertThrows(ExecutionException.class, upload::get);
            Throwable cause = failed.getCause().getCause();
            assertInstanceOf(TransferFailedException.class, cause, String.valueOf(cause));
            assertInstanceOf(UploadTargetExistsException.class, cause.getCause(), String.valueOf(cause));
            assertTrue(cause.getMessage().contains("appeared during the upload"), cause.getMessage());
            assertEquals("someone else's file\n", Files.readString(ftp.file("appear.bin")));
            try (Stream<Path> all = Files.list(ftp.root())) {
                assertEquals(List.of("appear.bin"), all.map(p -> p.getFileName().toString()).toList(),
                        "the temporary copy stays");
            }
        }
    }

    /**
     * A review of the command line: {@code put --file-exist=tryrename} onto a name that was taken replaced the file on
     * vsftpd (its RNTO replaces). TryRename asks for the name just before the rename; what was sent stays under its
     * temporary name, and a run with Override publishes it without sending it again.
     */
    @Test
    void tryRenameKeepsAFileAtTheFinalNameAndOverrideThenPublishesWhatWasSent() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("taken.bin"), 3_000_000, 7);
            Files.writeString(ftp.file("taken.bin"), "someone else's file\n");

            TransferFailedException failed = assertThrows(TransferFailedException.class, () -> h.engine.run(
                    h.upload(source, "/taken.bin", dev.ferry.plan.TransferOptions.none()
                            .withFileExist(dev.ferry.plan.FileExist.TRYRENAME))));
            assertInstanceOf(UploadTargetExistsException.class, failed.getCause(), String.valueOf(failed));
            assertTrue(failed.getMessage().contains("TryRename renames only onto a free name"), failed.getMessage());
            assertEquals("someone else's file\n", Files.readString(ftp.file("taken.bin")));
            long sent = ftp.bytesReceived();

            h.engine.run(h.upload(source, "/taken.bin", dev.ferry.plan.TransferOptions.none()
                    .withFileExist(dev.ferry.plan.FileExist.OVERRIDE)));
            assertEquals(dev.ferry.testing.Hashes.sha256(source), dev.ferry.testing.Hashes.sha256(ftp.file("taken.bin")));
            assertTrue(ftp.bytesReceived() - sent < 1_000_000, "sent again: " + (ftp.bytesReceived() - sent));
            try (Stream<Path> all = Files.list(ftp.root())) {
                assertEquals(List.of("taken.bin"), all.map(p -> p.getFileName().toString()).toList());
            }
        }
    }
}
