package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** The command line's own contract: exit codes, its error lines, and what it prints. */
class CliTest {
    private static final String PASSWORD = "ferrytest-pw";

    /** A log line as either logging configuration writes it (time first, the jar's with the date), or its level. */
    private static final Pattern LOG_LINE = Pattern.compile(
            "^(\\[err] )?(\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*|.* (TRACE|DEBUG|INFO|WARN|ERROR) .*");

    @TempDir
    Path tmp;
    private FtpServerFixture ftp;

    @AfterEach
    void stopServer() {
        if (ftp != null) {
            ftp.close();
        }
    }

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

    /**
     * A review: a password holding a raw '/' ended the host part inside the password, which was printed as the port
     * ("port 'secret' … is not a number"). Nothing of it is printed now, and the line says how to write it.
     */
    @Test
    void aPasswordWithARawSlashIsNeverPrinted() {
        String url = "ftp://ferrytest:Sekr1tPart/x@127.0.0.1:21/big.bin";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"get", url, tmp.resolve("x").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.USAGE.code, code, errText);
        assertFalse(errText.contains("Sekr1t"), errText);
        assertTrue(errText.contains("%2F") && errText.contains("--password-env"), errText);
    }

    /**
     * A review of the command line: ftps:// to a server without TLS was retried for a minute as a server that cannot
     * be reached ("SSLException 431 Service is unavailable", exit 1). A refused AUTH TLS is final: exit 7 at once, one
     * line saying the server offers no TLS and that Ferry never goes on in plain FTP.
     */
    @Test
    void ftpsToAServerWithoutTlsIsRefusedAtOnce() {
        ftp = FtpServerFixture.builder().start(); // no TLS on this server
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String url = "ftps://" + ftp.user() + ":" + PASSWORD + "@127.0.0.1:" + ftp.port() + "/big.bin";
        long started = System.nanoTime();
        int code = Cli.run(new String[] {"get", "--ledger", tmp.resolve("ledger").toString(), url,
                        tmp.resolve("x").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.REFUSED.code, code, errText);
        assertTrue(errText.contains("does not offer TLS") && errText.contains("never falls back to plain FTP"), errText);
        assertFalse(errText.contains("retrying"), errText);
        assertFalse(errText.contains(PASSWORD), errText);
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    /** A review of the command line: a --ledger that cannot be made said "cannot create the ledger directory X", exit 1. */
    @Test
    void aLedgerFolderThatCannotBeMadeSaysWhyAndWhatToDo() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"get", "--ledger", file.resolve("ledger").toString(),
                        "ftp://ferrytest:" + PASSWORD + "@127.0.0.1:1/big.bin", tmp.resolve("x").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.LOCAL.code, code, errText);
        assertTrue(errText.contains("cannot create the ledger directory " + file.resolve("ledger") + ": Not a directory")
                && errText.contains("--ledger DIR"), errText);
    }

    /**
     * A review of the command line: an unclosed IPv6 bracket went to the resolver ("unknown host [:", exit 1), and an
     * empty local path was the working folder (get wrote there under the remote name; put said "  is a folder").
     */
    @Test
    void anUnclosedBracketOrAnEmptyLocalPathIsAUsageError() {
        String url = "ftp://ferrytest:" + PASSWORD + "@127.0.0.1:2121/big.bin";
        for (String[] args : List.of(
                new String[] {"get", "ftp://ferrytest:" + PASSWORD + "@[::1/big.bin", tmp.resolve("x").toString()},
                new String[] {"get", url, ""},
                new String[] {"put", "", url})) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String errText = err.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.USAGE.code, code, errText);
            assertTrue(errText.contains("unmatched '['") || errText.contains("the local path is empty"), errText);
            assertFalse(errText.contains(PASSWORD), errText);
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

    /** put of a folder without -r: a usage error that says what to do, as get's "use get -r" does. */
    @Test
    void putOfAFolderWithoutRSaysToUseR(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String folder = tmp.toString();
        int code = Cli.run(new String[] {"put", folder, "ftp://ferrytest:" + PASSWORD + "@127.0.0.1:2121/in/"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.USAGE.code, code, errText);
        assertTrue(errText.contains(folder + " is a folder: send it with put -r"), errText);
    }

    /**
     * As ferry.jar runs it (its own JVM, the jar's logback.xml): without --verbose the output is the command's own
     * lines only, for a download, an upload and a failure; with --verbose the engine's log lines come on stderr,
     * with the "accepted" and "done" lines bench/run.sh times, and stdout still holds only the done line.
     */
    @Test
    void engineLogLinesOnlyWithVerboseAndThenOnStderr() throws Exception {
        ftp = FtpServerFixture.builder().user("ferrytest", PASSWORD).start();
        ftp.write("big.bin", 3 << 20, 1);
        String base = "ftp://ferrytest:" + PASSWORD + "@" + ftp.host() + ":" + ftp.port();
        Path up = PseudoRandomContent.write(tmp.resolve("up.bin"), 2 << 20, 2);

        List<String> get = fork(0, "get", "--ledger", tmp.resolve("l1").toString(), base + "/big.bin",
                tmp.resolve("a.bin").toString());
        assertNoLogLines(get);
        List<String> stdout = stdout(get);
        assertEquals(1, stdout.size(), String.join("\n", get));
        assertTrue(stdout.get(0).startsWith("done: "), String.join("\n", get));

        List<String> put = fork(0, "put", "--quiet", "--ledger", tmp.resolve("l2").toString(), up.toString(),
                base + "/up/");
        assertEquals(List.of(), put, "--quiet: no output at all");
        assertTrue(Files.exists(ftp.root().resolve("up/up.bin")));

        List<String> missing = fork(ExitCode.NOT_FOUND.code, "get", "--ledger", tmp.resolve("l3").toString(),
                base + "/missing.bin", tmp.resolve("m.bin").toString());
        assertEquals(1, missing.size(), "one line on a failure: " + String.join("\n", missing));
        assertTrue(missing.get(0).startsWith("[err] ferry: "), missing.get(0));
        assertFalse(missing.get(0).contains(PASSWORD), missing.get(0));

        List<String> verbose = fork(0, "get", "--verbose", "--ledger", tmp.resolve("l4").toString(),
                base + "/big.bin", tmp.resolve("b.bin").toString());
        List<String> verboseOut = stdout(verbose);
        assertEquals(1, verboseOut.size(), "stdout keeps only the done line: " + String.join("\n", verbose));
        assertTrue(verboseOut.get(0).startsWith("done: "), String.join("\n", verbose));
        // The jar's log lines carry the date: a log kept for days must say which day.
        Pattern timed = Pattern.compile("^\\[err] \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*");
        for (String needle : new String[] {" INFO ", "Opened ledger", " accepted: ", " done: "}) {
            assertTrue(verbose.stream().anyMatch(l -> timed.matcher(l).matches() && l.contains(needle)),
                    "a log line with '" + needle + "' on stderr: " + String.join("\n", verbose));
        }
    }

    /** Run in a longer-lived JVM with its own streams: the log lines go to the given err, and logging is put back. */
    @Test
    void inProcessVerboseWritesToErrAndLoggingIsPutBack() {
        ftp = FtpServerFixture.builder().user("ferrytest", PASSWORD).start();
        ftp.write("c.bin", 1 << 20, 3);
        String url = "ftp://ferrytest:" + PASSWORD + "@" + ftp.host() + ":" + ftp.port() + "/c.bin";
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> appenders = appenders(root);
        int turboFilters = context.getTurboFilterList().size();
        for (boolean verbose : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> args = new ArrayList<>(List.of("get", "--ledger", tmp.resolve("l-" + verbose).toString(),
                    url, tmp.resolve("c-" + verbose + ".bin").toString()));
            if (verbose) {
                args.add(1, "--verbose");
            }
            int code = Cli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String errText = err.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, errText);
            List<String> outLines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, outLines.size(), String.join("\n", outLines));
            assertTrue(outLines.get(0).startsWith("done: "), outLines.get(0));
            assertEquals(verbose, errText.lines().anyMatch(l -> l.contains(" accepted: ")), errText);
            assertEquals(verbose, errText.lines().anyMatch(l -> l.contains(" INFO ")), errText);
            assertEquals(appenders, appenders(root), "the appenders are put back");
            assertEquals(turboFilters, context.getTurboFilterList().size(), "the filters are put back");
        }
    }

    /** Runs the command line in its own JVM; its output lines, those from stderr marked "[err] ". */
    private List<String> fork(int expectedCode, String... args) throws Exception {
        Path log = Files.createTempFile(tmp, "fork-", ".log");
        // The jar's own logging configuration rather than the tests' logback-test.xml.
        try (ForkedJvm jvm = ForkedJvm.builder(Cli.class).args(args).logFile(log)
                .systemProperty("logback.configurationFile", "logback.xml").start()) {
            int code = jvm.awaitExit(Duration.ofSeconds(60));
            assertEquals(expectedCode, code, String.join("\n", jvm.output()));
        }
        // The log file has a first line with the command, then every line, stderr's marked.
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().skip(1).toList();
    }

    private static List<String> stdout(List<String> output) {
        return output.stream().filter(l -> !l.startsWith("[err] ")).toList();
    }

    private static void assertNoLogLines(List<String> output) {
        for (String line : output) {
            assertFalse(LOG_LINE.matcher(line).matches(), "a log line without --verbose: " + line + "\n"
                    + String.join("\n", output));
        }
    }

    private static List<Appender<ILoggingEvent>> appenders(ch.qos.logback.classic.Logger logger) {
        List<Appender<ILoggingEvent>> list = new ArrayList<>();
        logger.iteratorForAppenders().forEachRemaining(list::add);
        return list;
    }
}
