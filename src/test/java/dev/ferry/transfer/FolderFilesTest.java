package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a folder's subfolder swapped for a link after the walk listed it. The file was opened with
 * O_NOFOLLOW, which guards its own name only, so "a/secret.txt" was read through the link, from outside the folder,
 * and uploaded as a file of the tree. A folder's file is now opened from the folder given, one name at a time.
 */
class FolderFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aSubfolderSwappedForALinkIsNotReadThrough() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path root = Files.createDirectories(tmp.resolve("src"));
            Path a = Files.createDirectories(root.resolve("a"));
            Files.writeString(a.resolve("f.txt"), "the folder's own file");
            Path outside = Files.createDirectories(tmp.resolve("outside"));
            Files.writeString(outside.resolve("f.txt"), "a secret outside the folder");
            TransferRequest request = h.upload(a.resolve("f.txt"), "/up/a/f.txt", TransferOptions.none())
                    .inTree("u-tree").fromFolder(root.toString());
            // What the walk listed, swapped before the file is opened.
            Files.move(a, root.resolve("a.moved"));
            Files.createSymbolicLink(a, outside);

            TransferFailedException e = assertThrows(TransferFailedException.class, () -> h.engine.run(request));
            assertTrue(e.getMessage().contains("the folder " + a + " was replaced by a symbolic link"), e.getMessage());
            assertFalse(Files.exists(ftp.file("up/a/f.txt")), "read through the link");
            try (java.util.stream.Stream<Path> all = Files.walk(ftp.root())) {
                for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                    assertFalse(Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1).contains("secret"),
                            "the secret reached the server as " + p);
                }
            }
        }
    }

    @Test
    void aFolderFileIsReadFromTheFolderGiven() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path root = Files.createDirectories(tmp.resolve("src"));
            Path file = Files.writeString(Files.createDirectories(root.resolve("a/b")).resolve("f.txt"), "deep");
            // The folder given may itself be reached through a link: the user named it.
            Path viaLink = Files.createSymbolicLink(tmp.resolve("src-link"), root);
            h.engine.run(h.upload(viaLink.resolve("a/b/f.txt"), "/up/f.txt", TransferOptions.none())
                    .inTree("u-tree").fromFolder(viaLink.toString()));
            assertEquals(Hashes.sha256(file), Hashes.sha256(ftp.file("up/f.txt")));
        }
    }
}
