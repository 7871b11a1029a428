package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: {@code get -r --delete} listed an extraneous local folder, then deleted its entries by path; the
 * folder swapped for a link to a folder outside the target meanwhile had the rest of the deletes go through the link
 * (30,000 files of another folder gone). Mirror's delete now works through the folder it opened.
 */
class MirrorDeleteSwapTest {
    @TempDir
    Path tmp;

    @AfterEach
    void unhook() {
        TreeRun.onDelete = relative -> { };
    }

    @Test
    void aFolderSwappedForALinkWhileItsFilesAreDeletedTakesNothingOutsideTheTarget() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("t/keep.txt", 100, 1);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path junk = Files.createDirectories(out.resolve("junk"));
            Path victim = Files.createDirectories(tmp.resolve("victim"));
            for (int i = 0; i < 20; i++) {
                Files.writeString(junk.resolve("n" + i), "stale");
                Files.writeString(victim.resolve("n" + i), "someone else's");
            }
            AtomicBoolean swapped = new AtomicBoolean();
            TreeRun.onDelete = relative -> {
                if (relative.startsWith("junk/") && swapped.compareAndSet(false, true)) {
                    try {
                        Files.move(junk, out.resolve("junk.real"));
                        Files.createSymbolicLink(junk, victim);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            String url = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + "/t/";
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Cli.run(new String[] {"get", "-r", "--delete", "--ledger", tmp.resolve("ledger").toString(), url,
                    out.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertTrue(swapped.get(), "the swap never happened: " + err);
            try (Stream<Path> left = Files.list(victim)) {
                assertEquals(20, left.count(), "files outside the target were deleted through the link: " + err);
            }
            assertTrue(Files.isRegularFile(out.resolve("keep.txt")), err.toString());
        }
    }

    @Test
    void aLedgerInsideTheTargetIsNeverDeleted() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("t/keep.txt", 100, 1);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path ledger = out.resolve(".ledger");
            String url = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + "/t/";
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(new String[] {"get", "-r", "--delete", "--ledger", ledger.toString(), url,
                    out.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, code, "refused as the command line's mistake: " + err);
            assertTrue(err.toString().contains("the ledger " + ledger + " is inside " + out), err.toString());
            assertTrue(Files.isDirectory(ledger), "the ledger was deleted: " + err);
            // Elsewhere, the same mirror runs.
            assertEquals(0, Cli.run(new String[] {"get", "-r", "--delete", "--ledger", tmp.resolve("l2").toString(),
                    url, out.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8)), err.toString());
            assertTrue(Files.isRegularFile(out.resolve("keep.txt")));
        }
    }
}
