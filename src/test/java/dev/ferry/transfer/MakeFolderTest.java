package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download's folder below a given one: made where missing, a link inside the root taken, one out of it never. */
class MakeFolderTest {
    @TempDir
    Path tmp;

    @Test
    void aLinkThatStaysInsideTheRootIsAFolderOfItAndOneThatLeadsOutIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("downloads"));
        Path month = Files.createDirectories(root.resolve("2026-12"));
        Files.createSymbolicLink(root.resolve("current"), month);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("out"), elsewhere);

        assertEquals(month.toRealPath().resolve("a/b"), FolderFiles.makeFolder(root, root.resolve("current/a/b")));
        assertTrue(Files.isDirectory(month.resolve("a/b")));
        assertEquals(root.toRealPath().resolve("new/deep"), FolderFiles.makeFolder(root, root.resolve("new/deep")));

        LocalFileException out = assertThrows(LocalFileException.class,
                () -> FolderFiles.makeFolder(root, root.resolve("out/x")));
        assertTrue(out.getMessage().contains("symbolic link out of"), out.getMessage());
        assertFalse(Files.exists(elsewhere.resolve("x")), "a folder was made through the link");

        Files.writeString(root.resolve("file"), "a file");
        LocalFileException file = assertThrows(LocalFileException.class,
                () -> FolderFiles.makeFolder(root, root.resolve("file/x")));
        assertTrue(file.getMessage().contains("is a file here"), file.getMessage());
    }

    /**
     * Two downloads from the queue into one new folder at once (ServiceBrokerTest, a.bin and b.bin into q/): both
     * found q missing, both made it, and the second failed "q is a file here (or a link to nothing)".
     */
    @Test
    void transfersMakingTheSameNewFolderAtOnceAllGetIt() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("downloads"));
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                Path folder = root.resolve("r" + round + "/q/deep");
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
                java.util.List<java.util.concurrent.Future<Path>> made = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    made.add(pool.submit(() -> {
                        start.await();
                        return FolderFiles.makeFolder(root, folder);
                    }));
                }
                java.util.List<Path> got = new java.util.ArrayList<>();
                for (java.util.concurrent.Future<Path> f : made) {
                    got.add(f.get());
                }
                for (Path p : got) {
                    assertEquals(folder.toRealPath(), p, "round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
