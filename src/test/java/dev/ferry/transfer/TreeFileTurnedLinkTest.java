package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code put -r dir}: the walk refuses the links it meets, but a file replaced by a link after the walk
 * ({@code rm dir/f2; ln -s /etc/shadow dir/f2}) reached the engine as the folder's file and was uploaded as f2: the
 * link's target, verified against itself, exit 0 (a hostile review put /etc/shadow on the server so). A folder's
 * file is read without following links; a file given on its own still follows one, as the user named it.
 */
class TreeFileTurnedLinkTest {
    @TempDir
    Path tmp;

    @Test
    void aFoldersFileReplacedByALinkAfterTheWalkIsNotUploaded() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path secret = PseudoRandomContent.write(tmp.resolve("outside/secret.bin"), 897, 7);
            Path folder = Files.createDirectories(tmp.resolve("dir"));
            Path f2 = folder.resolve("f2");
            // The walk saw a plain file here; then: rm dir/f2; ln -s ../outside/secret.bin dir/f2
            Files.createSymbolicLink(f2, secret);

            TransferRequest request = h.engine.accept(h.upload(f2, "/up/f2", TransferOptions.none())
                    .inTree("u-0123456789abcdef"));
            TransferFailedException failed = assertThrows(TransferFailedException.class,
                    () -> h.engine.runAccepted(request));
            assertInstanceOf(LocalFileException.class, failed.getCause());
            assertTrue(failed.getMessage().contains(f2.toString()) && failed.getMessage().contains("symbolic link")
                    && failed.getMessage().contains("not uploaded"), failed.getMessage());
            assertFalse(Files.exists(ftp.file("up/f2")), "the link's target was published as f2");
            assertEquals(List.of(), filesUnder(ftp.file("")), "nothing of the link's target reached the server");
        }
    }

    @Test
    void aFileGivenOnItsOwnMayStillBeALink() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path target = PseudoRandomContent.write(tmp.resolve("releases/app-1.2.bin"), 40_000, 8);
            Path latest = Files.createSymbolicLink(tmp.resolve("latest.bin"), target);

            h.engine.run(h.upload(latest, "/latest.bin", TransferOptions.none()));
            assertArrayEquals(Files.readAllBytes(target), Files.readAllBytes(ftp.file("latest.bin")));
        }
    }

    private static List<Path> filesUnder(Path root) throws java.io.IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }
}
