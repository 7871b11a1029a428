package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.cli.Cli;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.plan.UnsafePathException;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 5, end to end: requests whose names climb out ({@code ../evil}, {@code ..}, NUL and control characters,
 * absolute paths in disguise) are refused by the engine and by the command line with a message naming the problem,
 * and nothing is written outside the target directory (download) or the server's base directory (upload).
 * (Ferry fetches no directory listings, so a hostile listing cannot name a file; the names come from requests.)
 */
class PathEscapeEndToEndTest {
    @TempDir
    Path tmp;
    private FtpServerFixture ftp;
    private Path target;
    private Path outsideMarker;

    @BeforeEach
    void start() throws Exception {
        ftp = FtpServerFixture.builder().start();
        ftp.write("in/evil", 1000, 1);
        ftp.write("in/ok.bin", 1000, 2);
        target = Files.createDirectories(tmp.resolve("work/target"));
        outsideMarker = tmp.resolve("work");
    }

    @AfterEach
    void stop() {
        ftp.close();
    }

    @Test
    void engineRefusesRemotePathsThatClimbOut() throws Exception {
        ServerProfile profile = ServerProfile.builder("s").host(ftp.host()).port(ftp.port()).user(ftp.user())
                .password(ftp.password()).build();
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
             TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                     TransferOptions.none(), Duration.ofMillis(200))) {
            for (String remote : new String[] {"../evil", "/in/../../evil", "/in/..", "/in/ev\u0000il", "/in/a\r\nDELE x"}) {
                for (Direction d : Direction.values()) {
                    Path local = d == Direction.DOWNLOAD ? target.resolve("x.bin")
                            : PseudoRandomContent.write(tmp.resolve("up.bin"), 100, 3);
                    UnsafePathException e = assertThrows(UnsafePathException.class,
                            () -> engine.run(new TransferRequest(d, "s", remote, local.toString(), TransferOptions.none())),
                            d + " " + remote);
                    assertTrue(e.getMessage().contains("..") || e.getMessage().contains("control character"),
                            e.getMessage());
                }
            }
        }
        assertNothingOutside();
    }

    @Test
    void commandLineRefusesNamesThatClimbOutOfTheTargetDirectory() throws Exception {
        String base = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port();
        // Into a directory: the local name is the remote's last element.
        assertRefused(cli("get", base + "/in/..", target.toString()), "..");
        assertRefused(cli("get", base + "/in/%2E%2E/%2E%2E/evil", target.toString()), "..");
        assertRefused(cli("get", base + "/in/ev%00il", target.toString()), "control character");
        assertRefused(cli("get", base + "/in/ev%0Ail", target.toString()), "control character");
        Path up = PseudoRandomContent.write(tmp.resolve("up.bin"), 100, 4);
        assertRefused(cli("put", up.toString(), base + "/in/../../evil"), "..");
        assertRefused(cli("put", up.toString(), base + "/in/%2E%2E/%2E%2E/"), "..");
        // A well-formed request still works.
        Result ok = cli("get", base + "/in/ok.bin", target.toString());
        assertEquals(0, ok.code, ok.err);
        assertTrue(Files.exists(target.resolve("ok.bin")));
        assertNothingOutside();
    }

    private void assertNothingOutside() throws Exception {
        try (Stream<Path> files = Files.walk(outsideMarker)) {
            assertEquals(0, files.filter(Files::isRegularFile).filter(p -> !p.startsWith(target)).count(),
                    "nothing written outside the target directory");
        }
        try (Stream<Path> files = Files.walk(ftp.root().getParent(), 1)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals("evil")), "nothing above the server root");
        }
        assertFalse(Files.exists(ftp.root().resolve("evil")), "nothing outside the server's base directory");
    }

    private static void assertRefused(Result r, String says) {
        assertTrue(r.code != 0, "refused: " + r.err);
        assertTrue(r.err.contains(says), "the message says why: " + r.err);
    }

    private Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of(args[0], "--quiet", "--ledger", tmp.resolve("cli-ledger").toString()),
                Stream.of(args).skip(1)).toArray(String[]::new);
        int code = Cli.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String err) {
    }
}
