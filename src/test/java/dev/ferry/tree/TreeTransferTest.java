package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees down and up against the embedded server: every file's bytes, mirror runs, and hostile listings. */
class TreeTransferTest {
    private static final int KIB = 1024;
    private static final String UTF8_NAME = "größe-文件 ü.bin";

    @TempDir
    Path tmp;
    FtpServerFixture ftp;
    JdbcLedger ledger;
    TransferEngine engine;

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().start();
        ServerProfile profile = ftp.profile(6).build();
        ledger = JdbcLedger.h2(tmp.resolve("ledger"));
        engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        engine.close();
        ledger.close();
        ftp.close();
    }

    /** 3 levels, 0 B to 2 MiB, a UTF-8 name, an empty folder; returns the relative paths written. */
    private static int writeTree(Path root) {
        int n = 0;
        long[] sizes = {0, 1, 100, 4 * KIB, 64 * KIB - 1, 300 * KIB, 2 * 1024 * KIB};
        String[] dirs = {"", "a/", "a/b/", "a/b/c/", "z/"};
        for (String dir : dirs) {
            for (int i = 0; i < sizes.length; i++) {
                PseudoRandomContent.write(root.resolve(dir + "f" + i + ".bin"), sizes[i], 31L * n + i);
                n++;
            }
        }
        PseudoRandomContent.write(root.resolve("a/b/" + UTF8_NAME), 12_345, 99);
        return n + 1;
    }

    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> m.put(root.relativize(f).toString(), Hashes.sha256(f)));
        }
        return m;
    }

    @Test
    void aTreeComesDownIdenticalAndASecondRunMovesNothing() throws Exception {
        Path remote = ftp.file("tree");
        int files = writeTree(remote);
        Path out = tmp.resolve("out");
        TreeRun run = new TreeRun(engine, "test", TreeLimits.DEFAULTS);

        TreeResult first = run.download("/tree/", out, TransferOptions.none());
        assertEquals(List.of(), first.problems());
        assertEquals(files, first.transferred());
        assertEquals(hashes(remote), hashes(out));
        assertTrue(Files.exists(out.resolve("a/b/" + UTF8_NAME)));

        ftp.resetCounters();
        TreeResult second = run.download("/tree/", out, TransferOptions.none());
        assertTrue(second.complete(), second.problems().toString());
        assertEquals(0, second.transferred());
        assertEquals(files, second.skipped());
        assertEquals(0, ftp.commandCount("RETR"), "a second mirror run reads no file");
        assertEquals(hashes(remote), hashes(out));
    }

    @Test
    void aTreeGoesUpIdenticalAndASecondRunMovesNothing() throws Exception {
        Path src = tmp.resolve("src");
        int files = writeTree(src);
        TreeRun run = new TreeRun(engine, "test", TreeLimits.DEFAULTS);

        TreeResult first = run.upload(src, "/up/", TransferOptions.none());
        assertEquals(List.of(), first.problems());
        assertEquals(files, first.transferred());
        assertEquals(hashes(src), hashes(ftp.file("up")));

        ftp.resetCounters();
        TreeResult second = run.upload(src, "/up/", TransferOptions.none());
        assertTrue(second.complete(), second.problems().toString());
        assertEquals(0, second.transferred());
        assertEquals(files, second.skipped());
        assertEquals(0, ftp.commandCount("STOR") + ftp.commandCount("APPE"), "a second mirror run sends no file");
    }

    @Test
    void hostileEntriesAreRefusedOneByOneAndNothingLandsOutsideTheRoot() throws Exception {
        Path remote = ftp.file("h");
        PseudoRandomContent.write(remote.resolve("ok.bin"), 1000, 1);
        PseudoRandomContent.write(remote.resolve("bell\u0007.bin"), 10, 2); // a real file with a control character
        Files.createDirectories(remote.resolve("sub"));
        // A real loop on the server's disk: the server follows it, so only the depth limit ends the walk.
        Files.createSymbolicLink(remote.resolve("sub/loop"), remote);
        // A server's word that no real file system would hold: injected into the real server's real listing.
        ListingSource real = new PooledListing(engine.pool(), engine.profiles().get("test"));
        ListingSource hostile = (dir, each) -> {
            boolean exact = real.list(dir, each);
            if (dir.equals("/h")) {
                for (String name : List.of("../escape.bin", "a/b.bin", "..\\win.bin", "cr\rlf\n.bin", "nul\0.bin",
                        "bad\uFFFD.bin", "/etc/passwd", ".x.bin.ferry-0123abcd.part")) {
                    each.accept(file(name, FTPFile.FILE_TYPE));
                }
                each.accept(file("..", FTPFile.FILE_TYPE));
                FTPFile link = file("up", FTPFile.SYMBOLIC_LINK_TYPE);
                link.setLink("..");
                each.accept(link);
                each.accept(null);
            }
            return exact;
        };
        Path out = tmp.resolve("box/out");
        TreeResult r = new TreeRun(engine, "test", new TreeLimits(4, 1000, 2), hostile)
                .download("/h", out, TransferOptions.none());

        // ok.bin at the root, under sub/loop/ and sub/loop/sub/loop/ (then the depth limit, 4)
        assertEquals(3, r.transferred(), r.problems().toString());
        assertEquals(Hashes.sha256(remote.resolve("ok.bin")), Hashes.sha256(out.resolve("sub/loop/sub/loop/ok.bin")));
        String problems = String.join("\n", r.problems());
        for (String expected : List.of("../escape.bin: the name contains a '/'", "a/b.bin: the name contains a '/'",
                "..\\win.bin: the name contains a '\\'", "cr\\u000dlf\\u000a.bin: the name contains a line break",
                "nul\\u0000.bin: the name contains a NUL", "bad\uFFFD.bin: the name does not decode",
                "/etc/passwd: the name contains a '/'", "refused ..: the name is '..'", "up: a symbolic link (to ..)",
                "could not be parsed", "bell\\u0007.bin: the name contains the control character",
                ".x.bin.ferry-0123abcd.part: the name has the form of a part file Ferry writes",
                "deeper than 4 levels")) {
            assertTrue(problems.contains(expected), expected + " in\n" + problems);
        }
        assertFalse(r.complete());
        try (Stream<Path> all = Files.walk(tmp.resolve("box"))) {
            List<Path> outside = all.filter(p -> !p.startsWith(out) && !p.equals(tmp.resolve("box"))).toList();
            assertEquals(List.of(), outside);
        }
        assertFalse(Files.exists(tmp.resolve("box/escape.bin")));
    }

    private static FTPFile file(String name, int type) {
        FTPFile f = new FTPFile();
        f.setName(name);
        f.setType(type);
        f.setSize(5);
        f.setTimestamp(Calendar.getInstance());
        return f;
    }
}
