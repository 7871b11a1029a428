package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * get of a remote folder without -r and without the trailing /: refused as lftp's get refuses it (exit 2), naming the
 * folder and saying to use get -r, with nothing written locally; a path that is neither file nor folder is still exit 5.
 */
class CliRemoteFolderTest {
    @TempDir
    Path tmp;

    private String[] run(FtpServerFixture ftp, int expected, String path, Path local) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String url = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + path;
        String[] args = Stream.of("get", url, local.toString(), "--ledger", tmp.resolve("ledger").toString())
                .toArray(String[]::new);
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] texts = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        assertEquals(expected, code, texts[0] + texts[1]);
        return texts;
    }

    @Test
    void getOfAFolderWithoutRecursiveSaysToUseGetR() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("dir/a.bin", 1000, 1);
            Path local = tmp.resolve("out");
            String[] texts = run(ftp, ExitCode.USAGE.code, "/dir", local);
            assertTrue(texts[1].contains("/dir") && texts[1].contains("is a folder") && texts[1].contains("get -r"),
                    texts[1]);
            assertFalse(Files.exists(local), "nothing written");

            String[] missing = run(ftp, ExitCode.NOT_FOUND.code, "/nothing", tmp.resolve("none"));
            assertTrue(missing[1].contains("/nothing") && missing[1].contains("not found"), missing[1]);
        }
    }
}
