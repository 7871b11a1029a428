package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's own contract: exit codes, its error lines, and what it prints. */
class CliTest {
    private static final String PASSWORD = "ferrytest-pw";

    @TempDir
    Path tmp;

    /** A port outside 1..65535 is a mistake in the command line like a port that is no number: exit 2, one line. */
    @ParameterizedTest
    @ValueSource(strings = {"99999", "0", "-5", "65536", "2147483648", "abc"})
    void aBadPortIsAUsageError(String port) {
        String url = "ftp://ferrytest:" + PASSWORD + "@127.0.0.1:" + port + "/big.bin";
        for (String[] args : List.of(new String[] {"get", url, tmp.resolve("x").toString()},
                new String[] {"put", tmp.resolve("x").toString(), url})) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String errText = err.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.USAGE.code, code, errText);
            assertEquals("", out.toString(StandardCharsets.UTF_8));
            List<String> lines = errText.lines().toList();
            assertEquals(2, lines.size(), errText);
            boolean number = !port.equals("abc");
            assertTrue(lines.get(0).startsWith("ferry: port " + (number ? port : "'abc'") + " in "), errText);
            assertTrue(lines.get(0).endsWith(number ? "is not a TCP port (1 to 65535)" : "is not a number"), errText);
            assertTrue(lines.get(0).contains("ftp://ferrytest:****@127.0.0.1:" + port + "/big.bin"), errText);
            assertFalse(errText.contains(PASSWORD), errText);
            assertFalse(errText.contains("Exception"), errText);
            assertTrue(lines.get(1).contains("--help"), errText);
        }
    }

    /** Any other value the command line's checks refuse (here a local path no file system can name): exit 2. */
    @Test
    void aValueRefusedWhileParsingIsAUsageErrorNotAStackTrace() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"get", "ftp://ferrytest:" + PASSWORD + "@127.0.0.1:2121/big.bin", "a\0b"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.USAGE.code, code, errText);
        assertTrue(errText.startsWith("ferry: "), errText);
        assertFalse(errText.contains(PASSWORD), errText);
    }
}
