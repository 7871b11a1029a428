package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.IgnoredRename;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of the server side: a server that answered RNTO with 250 and renamed nothing had the upload
 * reported done (exit 0) while its final name did not exist, the bytes only under the hidden temporary name. A file
 * on its own, whatever its size, and a folder's file over 1 MiB have their final name asked for after the rename.
 */
class IgnoredRenameTest {
    @TempDir
    Path tmp;

    @Test
    void anUploadWhoseRenameTheServerOnlyPretendedIsNotReportedDone() throws Exception {
        IgnoredRename rename = new IgnoredRename();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("rename", rename).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("big.bin"), (2L << 20) + 3, 17);

            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(source, "/big.bin", TransferOptions.none())));

            assertEquals(1, rename.ignored());
            assertFalse(Files.exists(ftp.file("big.bin")));
            assertTrue(e.getMessage().contains("did not rename"), e.getMessage());
        }
    }

    /** A small drop was not asked (only files over 1 MiB were): its upload was reported done with no file there. */
    @Test
    void aSmallFileOnItsOwnIsAskedForToo() throws Exception {
        IgnoredRename rename = new IgnoredRename();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("rename", rename).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("small.bin"), 10_000, 18);

            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(source, "/small.bin", TransferOptions.none())));

            assertEquals(1, rename.ignored());
            assertFalse(Files.exists(ftp.file("small.bin")));
            assertTrue(e.getMessage().contains("did not rename"), e.getMessage());
        }
    }
}
