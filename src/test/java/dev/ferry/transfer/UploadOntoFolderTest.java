package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code put big.bin ftp://host/d} where {@code /d} is a folder: the file was sent whole, then the rename failed with
 * the server's bare "Rename failed", leaving the copy on the server, and every run did the same. The failure now says
 * the target is a folder and what to write instead, and nothing is left beside the folder.
 */
class UploadOntoFolderTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    /** Found while planning where the server's stat sees the folder (MLST): nothing is sent. */
    @Test
    void anUploadOntoAFolderSaysSoAndSendsNothing() throws Exception {
        uploadOntoFolder(TransferOptions.none(), "nothing was sent");
    }

    /**
     * Found at the rename where nothing was asked before (fileExist Override; or vsftpd, whose SIZE of a folder is a
     * 550 like a missing file's): the copy sent is removed.
     */
    @Test
    void anUploadOntoAFolderFoundAtTheRenameSaysSoAndLeavesNoCopy() throws Exception {
        uploadOntoFolder(TransferOptions.none().withFileExist(dev.ferry.plan.FileExist.OVERRIDE),
                "the copy sent was removed");
    }

    private void uploadOntoFolder(TransferOptions options, String how) throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("d/inside.txt", 10, 3);
            Path source = PseudoRandomContent.write(tmp.resolve("big.bin"), 3 * MIB, 41);
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(source, "/d", options)));
            assertInstanceOf(UploadTargetIsFolderException.class, e.getCause(), e.toString());
            assertTrue(e.getMessage().contains("/d on test") && e.getMessage().contains("is a folder")
                    && e.getMessage().contains("/d/") && e.getMessage().contains(how), e.getMessage());
            try (Stream<Path> root = Files.list(ftp.file(""))) {
                assertEquals(List.of("d"), root.map(p -> p.getFileName().toString()).sorted().toList(),
                        "nothing but the folder at the server's root");
            }
            assertTrue(Files.isDirectory(ftp.file("d")) && Files.exists(ftp.file("d/inside.txt")));
        }
    }
}
