package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.cli.Cli;
import dev.ferry.testing.FtpServerFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a subfolder of a {@code get -r} target swapped for a link to another folder while the tree ran
 * had the rest of its files written there, over the files of that folder with Override. A download below a given
 * folder now makes and checks its folder without following links, and publishes only into the folder it planned.
 */
class TreeTargetSwapTest {
    @TempDir
    Path tmp;

    @Test
    void aSubfolderSwappedForALinkMidTreeHasNothingWrittenThroughIt() throws Exception {
        Path out = tmp.resolve("out");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        for (int i = 1; i <= 12; i++) {
            Files.writeString(outside.resolve(String.format("f%02d", i)), "PRECIOUS " + i);
        }
        Map<String, String> before = contents(outside);
        AtomicBoolean swapped = new AtomicBoolean();
        DefaultFtplet swapAtTheFifth = swapForALinkAtTheFifth(out.resolve("d"), outside, swapped);
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("swap", swapAtTheFifth).start()) {
            for (int i = 1; i <= 12; i++) {
                ftp.write(String.format("t/d/f%02d", i), 200_000, i);
            }
            String url = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + "/t/";
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(new String[] {"get", "-r", "--overwrite", "--ledger", tmp.resolve("ledger").toString(),
                    url, out.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertTrue(swapped.get(), "the swap never happened: " + err);
            assertEquals(before, contents(outside), "files were written through the link: " + err);
            assertNotEquals(0, code, "the tree cannot be whole: " + err);
            assertTrue(err.toString().contains("symbolic link") || err.toString().contains("moved or replaced"),
                    err.toString());
        }
    }

    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                all.put(f.getFileName().toString(), Files.isRegularFile(f) ? Files.readString(f,
                        StandardCharsets.ISO_8859_1) : "(folder)");
            }
        }
        return all;
    }

    /**
     * The service's folder request: its tree's root is a folder inside the download directory, which whoever may write
     * there can swap for a link as well. Confined to the download directory, nothing goes through it.
     */
    @Test
    void aTreesRootSwappedForALinkInsideTheDownloadDirectoryHasNothingWrittenThroughIt() throws Exception {
        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        Path root = downloads.resolve("t40");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(outside.resolve("d"));
        for (int i = 1; i <= 12; i++) {
            Files.writeString(outside.resolve(String.format("d/f%02d", i)), "PRECIOUS " + i);
        }
        Map<String, String> before = contents(outside.resolve("d"));
        AtomicBoolean swapped = new AtomicBoolean();
        DefaultFtplet swapAtTheFifth = swapForALinkAtTheFifth(root, outside, swapped);
        try (TreeHarness h = new TreeHarness(FtpServerFixture.builder().ftplet("swap", swapAtTheFifth).start(),
                tmp.resolve("ledger"))) {
            for (int i = 1; i <= 12; i++) {
                h.ftp.write(String.format("t/d/f%02d", i), 200_000, i);
            }
            TreeResult r = h.run(h.listing()).confinedTo(downloads).download("/t/", root,
                    dev.ferry.plan.TransferOptions.none().withFileExist(dev.ferry.plan.FileExist.OVERRIDE),
                    TreeFilter.ALL);
            assertTrue(swapped.get(), r.problems().toString());
            assertEquals(before, contents(outside.resolve("d")), "files were written through the link: "
                    + r.problems());
            assertTrue(!r.complete(), "the tree cannot be whole: " + r.problems());
        }
    }

    /** Moves {@code folder} aside and puts a link to {@code to} in its place as the fifth file is asked for. */
    private static DefaultFtplet swapForALinkAtTheFifth(Path folder, Path to, AtomicBoolean swapped) {
        return new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
                if ("RETR".equalsIgnoreCase(request.getCommand()) && request.getArgument().contains("f05")
                        && swapped.compareAndSet(false, true)) {
                    try {
                        Files.move(folder, folder.resolveSibling(folder.getFileName() + ".real"));
                        Files.createSymbolicLink(folder, to);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return FtpletResult.DEFAULT;
            }
        };
    }
}
