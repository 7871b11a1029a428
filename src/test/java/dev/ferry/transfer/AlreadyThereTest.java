package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.HashCommand;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drop of a batch that was sent and renamed into place, but whose batch commit a kill -9 prevented, comes back with
 * no ledger row and finds its own copy under the final name. Under fileExist Fail that copy is recognised by size and
 * the server's hash (nothing is replaced) instead of failing the drop; any other file there still fails it.
 */
class AlreadyThereTest {
    private static final int SIZE = 300_000;

    @TempDir
    Path tmp;

    @Test
    void aCopyWithTheSameBytesUnderTheFinalNameIsThisFilesAndTheUploadIsDone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", new HashCommand()).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("sent.bin"), SIZE, 71);
            Files.copy(source, ftp.file("sent.bin"), StandardCopyOption.REPLACE_EXISTING);
            long receivedBefore = ftp.bytesReceived();
            TransferResult r = h.engine.run(h.upload(source, "/sent.bin", TransferOptions.none()));
            assertTrue(r.toString().contains("already there"), r.toString());
            // The capability probe writes a few bytes of its own; the file itself was not sent again.
            assertTrue(ftp.bytesReceived() - receivedBefore < SIZE, "sent again");
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("sent.bin")));
        }
    }

    @Test
    void anotherFileOfTheSameSizeUnderTheFinalNameStillFailsTheUpload() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", new HashCommand()).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("other.bin"), SIZE, 72);
            Path theirs = ftp.write("other.bin", SIZE, 73);
            String before = Hashes.sha256(theirs);
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(source, "/other.bin", TransferOptions.none())));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertEquals(before, Hashes.sha256(ftp.file("other.bin")), "their file was replaced");
        }
    }

    @Test
    void withoutAServerHashASmallCopyIsReadBackAndRecognised() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("plain.bin"), SIZE, 74);
            Files.copy(source, ftp.file("plain.bin"), StandardCopyOption.REPLACE_EXISTING);
            long receivedBefore = ftp.bytesReceived();
            TransferResult r = h.engine.run(h.upload(source, "/plain.bin", TransferOptions.none()));
            assertTrue(r.toString().contains("already there"), r.toString());
            assertTrue(ftp.bytesReceived() - receivedBefore < SIZE, "sent again");
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("plain.bin")));
        }
    }

    @Test
    void withoutAServerHashAnotherFileOfTheSameSizeStillFails() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("plain2.bin"), SIZE, 75);
            Path theirs = ftp.write("plain2.bin", SIZE, 76);
            String before = Hashes.sha256(theirs);
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(source, "/plain2.bin", TransferOptions.none())));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertEquals(before, Hashes.sha256(ftp.file("plain2.bin")), "their file was replaced");
        }
    }
}
