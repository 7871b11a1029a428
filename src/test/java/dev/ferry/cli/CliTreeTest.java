package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.tree.TreeCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** put -r and get -r: a folder up and down again, byte for byte, and a second get -r that moves nothing. */
class CliTreeTest {
    @TempDir
    Path tmp;
    FtpServerFixture ftp;

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().start();
    }

    @AfterEach
    void stop() {
        ftp.close();
    }

    private String url(String path) {
        return "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + path;
    }

    private String[] run(int expected, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of(args), Stream.of("--ledger", tmp.resolve("ledger").toString()))
                .toArray(String[]::new);
        int code = Cli.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] texts = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        assertEquals(expected, code, texts[0] + texts[1]);
        return texts;
    }

    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> m.put(root.relativize(f).toString(), Hashes.sha256(f)));
        }
        return m;
    }

    @Test
    void aFolderGoesUpAndComesBackIdentical() throws Exception {
        Path src = tmp.resolve("src");
        for (int i = 0; i < 6; i++) {
            PseudoRandomContent.write(src.resolve((i % 3 == 0 ? "" : "d" + i % 3 + "/deeper/") + "f" + i + ".bin"),
                    i * 70_001L, i);
        }
        // Empty folders go too, as with lftp's mirror -R: one at the top, one below, one under a folder of files.
        Files.createDirectories(src.resolve("empty/inner"));
        Files.createDirectories(src.resolve("d1/none"));
        String[] put = run(0, "put", "-r", src.toString(), url("/up/"));
        assertTrue(put[0].startsWith("done: 6 files, 6 transferred"), put[0]);
        assertEquals(hashes(src), hashes(ftp.file("up")));
        for (String empty : new String[] {"empty/inner", "d1/none"}) {
            assertTrue(Files.isDirectory(ftp.file("up/" + empty)), empty + " made on the server");
        }

        Path back = tmp.resolve("back");
        String[] get = run(0, "get", "--recursive", url("/up/"), back.toString());
        assertTrue(get[0].startsWith("done: 6 files, 6 transferred"), get[0]);
        assertEquals(hashes(src), hashes(back));
        assertTrue(Files.isDirectory(back.resolve("empty/inner")) && Files.isDirectory(back.resolve("d1/none")));

        TreeCounters.Snapshot before = TreeCounters.snapshot();
        String[] again = run(0, "get", url("/up/"), back.toString()); // a URL ending in / is a folder
        assertTrue(again[0].startsWith("done: 6 files, 0 transferred"), again[0]);
        assertTrue(again[0].contains("6 skipped as unchanged"), again[0]);
        // The metrics' tree counters: the skipped files are counted, though none became a transfer.
        TreeCounters.Snapshot after = TreeCounters.snapshot();
        assertEquals(1, after.trees() - before.trees());
        assertEquals(6, after.skipped() - before.skipped());
        assertEquals(0, after.transferred() - before.transferred());
    }

    @Test
    void includeExcludeAndNewerThanPickTheFilesAndDeleteClearsOnlyWhatTheRemoteLacks() throws Exception {
        ftp.write("t/a.csv", 1000, 1);
        ftp.write("t/b.txt", 1000, 2);
        ftp.write("t/sub/c.csv", 1000, 3);
        ftp.write("t/sub/deeper/d.csv", 1000, 4);
        Files.setLastModifiedTime(ftp.write("t/old.csv", 1000, 5),
                java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2019-06-01T00:00:00Z")));
        Path out = tmp.resolve("out");
        String[] r = run(0, "get", "-r", url("/t/"), out.toString(), "--include", "*.csv", "--exclude",
                "sub/deeper/**", "--newer-than", "2020-01-01");
        assertTrue(r[0].startsWith("done: 2 files, 2 transferred"), r[0]);
        assertEquals(Map.of("a.csv", Hashes.sha256(ftp.file("t/a.csv")), "sub/c.csv",
                Hashes.sha256(ftp.file("t/sub/c.csv"))), hashes(out));

        // Extraneous local files and folders go with --delete; a file a filter left out stays: b.txt, which the remote
        // tree has, and the local-only stale.bin and kept/x.bin, which --include '*.csv' leaves out (rsync and lftp
        // keep excluded files too), with the folder that holds one; without --delete nothing goes.
        PseudoRandomContent.write(out.resolve("stale.csv"), 10, 6);
        PseudoRandomContent.write(out.resolve("gone/x.csv"), 10, 7);
        PseudoRandomContent.write(out.resolve("b.txt"), 10, 8);
        PseudoRandomContent.write(out.resolve("stale.bin"), 10, 9);
        PseudoRandomContent.write(out.resolve("kept/x.bin"), 10, 10);
        PseudoRandomContent.write(out.resolve("kept/y.csv"), 10, 11);
        String[] keep = run(0, "get", "-r", url("/t/"), out.toString(), "--include", "*.csv");
        assertTrue(Files.exists(out.resolve("stale.csv")) && Files.exists(out.resolve("gone/x.csv")), keep[0]);
        String[] del = run(0, "get", "-r", url("/t/"), out.toString(), "--include", "*.csv", "--delete");
        assertTrue(del[0].contains("4 deleted locally"), del[0]); // stale.csv, gone/x.csv, gone, kept/y.csv
        assertTrue(Files.notExists(out.resolve("stale.csv")) && Files.notExists(out.resolve("gone"))
                && Files.notExists(out.resolve("kept/y.csv")), del[0]);
        assertTrue(Files.exists(out.resolve("b.txt")), "a filtered file the remote has was deleted");
        assertTrue(Files.exists(out.resolve("stale.bin")) && Files.exists(out.resolve("kept/x.bin")),
                "a local file the filter leaves out was deleted");
        Path out2 = tmp.resolve("out2");
        PseudoRandomContent.write(out2.resolve("c.tmp"), 10, 12);
        PseudoRandomContent.write(out2.resolve("tmp/x.csv"), 10, 13);
        PseudoRandomContent.write(out2.resolve("sub/d.tmp"), 10, 14);
        String[] ex = run(0, "get", "-r", url("/t/"), out2.toString(), "--exclude", "*.tmp", "--exclude", "tmp/**",
                "--delete");
        assertTrue(Files.exists(out2.resolve("c.tmp")) && Files.exists(out2.resolve("tmp/x.csv"))
                && Files.exists(out2.resolve("sub/d.tmp")), "an excluded local file was deleted: " + ex[0]);
        assertEquals(Hashes.sha256(ftp.file("t/sub/deeper/d.csv")), Hashes.sha256(out.resolve("sub/deeper/d.csv")));

        run(ExitCode.USAGE.code, "put", "-r", out.toString(), url("/t2/"), "--delete");
        String[] missing = run(ExitCode.LOCAL.code, "put", "-r", tmp.resolve("nowhere").toString(), url("/t2/"));
        assertTrue(missing[1].contains("nowhere does not exist"), missing[1]);
        run(ExitCode.USAGE.code, "put", "-r", out.resolve("a.csv").toString(), url("/t2/"));
        run(ExitCode.USAGE.code, "get", url("/t/a.csv"), tmp.resolve("one").toString(), "--include", "*.csv");
        String[] fileAsFolder = run(ExitCode.USAGE.code, "get", "-r", url("/t/a.csv"), tmp.resolve("two").toString());
        assertTrue(fileAsFolder[1].contains("is a file, not a folder"), fileAsFolder[1]);
        // put -r onto a remote file: said once (it was a refusal per subfolder and file, 15 lines, exit 1).
        String[] ontoFile = run(ExitCode.USAGE.code, "put", "-r", out.toString(), url("/t/a.csv"));
        assertTrue(ontoFile[1].contains("is a file, not a folder"), ontoFile[1]);
        assertEquals(1, ontoFile[1].lines().filter(l -> l.contains("a.csv")).count(), ontoFile[1]);
    }

    @Test
    void aDownloadedFileIsStatedOnceNotTwiceWhenTheListingGaveItsSizeAndTime() throws Exception {
        for (int i = 0; i < 8; i++) {
            ftp.write("s/f" + i + ".bin", 5000 + i, i);
        }
        ftp.resetCounters();
        Path out = tmp.resolve("s");
        String[] r = run(0, "get", "-r", url("/s/"), out.toString());
        assertTrue(r[0].startsWith("done: 8 files, 8 transferred"), r[0]);
        assertEquals(hashes(ftp.file("s")), hashes(out));
        // MLSD gave each size and time to the second: planning does not ask again; publishing still does (MLST).
        int stats = ftp.commandCount("MLST") + ftp.commandCount("SIZE") + ftp.commandCount("MDTM");
        assertEquals(8, stats, "one stat per file (the check after the download)");
    }

    /** The reason a person can act on, for a file of a batch: not a lease lost to another node (there is none). */
    @Test
    void aLocalFileWithOtherBytesFailsBecauseItExists() throws Exception {
        ftp.write("tree/two.bin", 5000, 2);
        Files.writeString(ftp.file("tree/one.txt"), "one", StandardCharsets.UTF_8);
        Path out = tmp.resolve("loc3");
        Files.createDirectories(out);
        Files.writeString(out.resolve("one.txt"), "DIFF\n", StandardCharsets.UTF_8);
        String[] r = run(ExitCode.FAILED.code, "get", "-r", url("/tree/"), out.toString());
        assertTrue(r[0].startsWith("incomplete: 2 files, 1 transferred"), r[0]);
        assertTrue(r[1].startsWith("ferry: failed one.txt: ") && r[1].contains("already exists")
                && r[1].contains("remove or rename it"), r[1]);
        assertFalse(r[1].contains("lease"), r[1]);
        assertEquals("DIFF\n", Files.readString(out.resolve("one.txt"), StandardCharsets.UTF_8));
    }

    /** ... and leaves nothing behind: the local folder it names is made only for a remote folder that is there. */
    @Test
    void aMissingRemoteFolderIsExitFive() {
        String[] r = run(ExitCode.NOT_FOUND.code, "get", "-r", url("/nothing/"), tmp.resolve("x").toString());
        assertTrue(r[1].contains("/nothing"), r[1]);
        assertFalse(Files.exists(tmp.resolve("x")), "an empty local folder made for a remote one that is not there");
    }
}
