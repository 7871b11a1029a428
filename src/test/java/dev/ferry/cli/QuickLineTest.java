package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** QuickLine fills a command exactly as picocli would, and hands every other form to picocli. */
class QuickLineTest {
    private final PrintStream sink = new PrintStream(new ByteArrayOutputStream());

    @Test
    void theCommonFormsGiveTheCommandPicocliWouldGive() {
        for (List<String> line : List.of(
                List.of("get", "ftp://u@h/a.bin", "out"),
                List.of("get", "-q", "ftp://u@h/a.bin", "out"),
                List.of("get", "ftp://u@h/a.bin", "--verbose", "out", "-c"),
                List.of("get", "--ledger", "led", "ftp://u@h/a.bin", "out", "--quiet"),
                List.of("put", "-v", "--ledger=led dir", "in.bin", "ftp://u@h/dir/"),
                List.of("put", "in.bin", "ftp://u@h/a.bin", "-q", "-q"))) {
            String[] args = line.toArray(String[]::new);
            TransferCommand quick = QuickLine.parse(args, sink, sink);
            assertNotNull(quick, String.join(" ", line));
            CommandLine picocli = Cli.commandLine(sink, sink, args[0]);
            TransferCommand parsed = (TransferCommand) picocli.parseArgs(args).subcommand().commandSpec()
                    .userObject();
            assertEquals(describe(parsed), describe(quick), String.join(" ", line));
        }
    }

    @Test
    void everyOtherFormIsLeftToPicocli() {
        for (List<String> line : List.of(
                List.of("get", "ftp://u@h/a.bin"),
                List.of("get", "-qv", "ftp://u@h/a.bin", "out"),
                List.of("get", "-r", "ftp://u@h/dir/", "out"),
                List.of("get", "--", "ftp://u@h/a.bin", "out"),
                List.of("get", "@args.txt"),
                List.of("get", "ftp://u@h/a.bin", "out", "@more"),
                List.of("get", "--ledger", "ftp://u@h/a.bin", "out"),
                List.of("get", "--ledger=", "ftp://u@h/a.bin", "out"),
                List.of("get", "ftp://u@h/a.bin", "out", "third"),
                List.of("get", "-h", "ftp://u@h/a.bin", "out"),
                List.of("get", "", "out"),
                List.of("help", "get", "x"),
                List.of("--version", "a", "b"))) {
            assertNull(QuickLine.parse(line.toArray(String[]::new), sink, sink), String.join(" ", line));
        }
    }

    private static String describe(TransferCommand c) {
        return c.getClass().getSimpleName() + " url=" + c.urlText() + " local=" + c.localText() + " ledger="
                + c.ledgerDir + " quiet=" + c.quiet + " verbose=" + c.verbose + " resume=" + c.resume + " options="
                + c.options() + " timeout=" + c.timeout + " connect=" + c.connectTimeout + " outage=" + c.outageWait;
    }
}
