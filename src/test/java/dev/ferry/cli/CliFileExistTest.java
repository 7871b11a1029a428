package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code get}/{@code put} never replace a file unasked; {@code --overwrite} and {@code --file-exist} say otherwise. */
class CliFileExistTest {
    @TempDir
    Path tmp;
    private FtpServerFixture ftp;
    private String base;

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().start();
        base = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port();
    }

    @AfterEach
    void stop() {
        ftp.close();
    }

    @Test
    void getOntoAnExistingFileFailsUnlessOverwriteOrIgnoreIsGiven() throws Exception {
        Path remote = ftp.write("pub/a.bin", 50_000, 1);
        Path local = Files.writeString(tmp.resolve("a.bin"), "mine");

        Result refused = cli("get", base + "/pub/a.bin", local.toString());
        assertEquals(ExitCode.EXISTS.code, refused.code, refused.err);
        assertTrue(refused.err.contains("already exists") && refused.err.contains("--file-exist"), refused.err);
        assertEquals("mine", Files.readString(local));

        Result kept = shown("get", "--file-exist", "ignore", base + "/pub/a.bin", local.toString());
        assertEquals(0, kept.code, kept.err);
        assertEquals("mine", Files.readString(local));
        assertTrue(kept.out.startsWith("kept: ") && kept.out.contains("nothing was sent")
                && !kept.out.contains("verified"), kept.out);

        Result replaced = cli("get", "--overwrite", base + "/pub/a.bin", local.toString());
        assertEquals(0, replaced.code, replaced.err);
        assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
        assertEquals(0, parts(), "no partial file left");
    }

    @Test
    void putOntoAnExistingRemoteFileFailsOrKeepsItUnlessOverrideIsGiven() throws Exception {
        Path theirs = ftp.write("pub/b.bin", 10_000, 2);
        String before = Hashes.sha256(theirs);
        Path mine = PseudoRandomContent.write(tmp.resolve("b.bin"), 20_000, 3);

        Result refused = cli("put", mine.toString(), base + "/pub/b.bin");
        // Not 1 ("run it again to resume"): as for get, running it again cannot help.
        assertEquals(ExitCode.EXISTS.code, refused.code, refused.err);
        assertTrue(refused.err.contains("already exists") && refused.err.contains("--overwrite"), refused.err);
        assertEquals(before, Hashes.sha256(ftp.file("pub/b.bin")), "the server's copy is kept");

        Result kept = shown("put", "--file-exist", "ignore", mine.toString(), base + "/pub/b.bin");
        assertEquals(0, kept.code, kept.err);
        assertTrue(kept.out.startsWith("kept: /pub/b.bin exists") && !kept.out.contains("verified"), kept.out);
        assertEquals(before, Hashes.sha256(ftp.file("pub/b.bin")), "Ignore keeps the server's copy");

        Result replaced = cli("put", "--file-exist", "override", mine.toString(), base + "/pub/b.bin");
        assertEquals(0, replaced.code, replaced.err);
        assertEquals(Hashes.sha256(mine), Hashes.sha256(ftp.file("pub/b.bin")));
    }

    @Test
    void aBadFileExistValueIsAUsageError() {
        Result r = cli("get", "--file-exist", "replace", base + "/pub/a.bin", tmp.resolve("x").toString());
        assertEquals(ExitCode.USAGE.code, r.code, r.err);
        assertTrue(r.err.contains("--file-exist replace"), r.err);
    }

    private long parts() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).count();
        }
    }

    private Result cli(String... args) {
        return run(true, args);
    }

    /** Without --quiet: what the command prints on stdout is kept too. */
    private Result shown(String... args) {
        return run(false, args);
    }

    private Result run(boolean quiet, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.concat(Stream.of(args[0]), quiet ? Stream.of("--quiet") : Stream.of()),
                Stream.concat(Stream.of("--ledger", tmp.resolve("cli-ledger").toString()), Stream.of(args).skip(1)))
                .toArray(String[]::new);
        int code = Cli.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err) {
    }
}
