package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as curl and lftp users type it, and what it says while it works. */
class CliOptionsTest {
    private static final String PASSWORD = "ferrytest-pw";
    /** A plain progress line: percent, bytes, rate, ETA. */
    private static final Pattern PROGRESS = Pattern.compile("^\\s*(\\d{1,3})% .+ of .+/s\\s+ETA .+$");

    @TempDir
    Path tmp;
    private FtpServerFixture ftp;

    @AfterEach
    void stopServer() {
        if (ftp != null) {
            ftp.close();
        }
    }

    @Test
    void segmentsAsOptionEqualsValueAndAsShortOptionAreUsed() {
        ftp = FtpServerFixture.builder().user("ferrytest", PASSWORD).start();
        Path source = ftp.write("big.bin", 3 << 20, 7);
        String url = base() + "/big.bin";

        Result four = run("get", "--segments=4", "--min-segment-size=256K", "--ledger=" + tmp.resolve("l1"), url,
                tmp.resolve("a.bin").toString());
        assertEquals(0, four.code, four.err);
        assertEquals(Hashes.sha256(source), Hashes.sha256(tmp.resolve("a.bin")));
        assertTrue(ftp.commandCount("RETR") >= 4, "4 segments, a RETR each: " + ftp.commandCount("RETR"));

        ftp.resetCounters();
        // -n 1, and -- before the arguments: one segment, one RETR.
        Result one = run("get", "-n", "1", "--min-segment-size", "256K", "--ledger", tmp.resolve("l2").toString(),
                "--", url, tmp.resolve("b.bin").toString());
        assertEquals(0, one.code, one.err);
        assertEquals(Hashes.sha256(source), Hashes.sha256(tmp.resolve("b.bin")));
        assertEquals(1, ftp.commandCount("RETR"), one.err);
    }

    /** The password in a URL is masked in every error about the URL, also when it is not an ftp:// one at all. */
    @Test
    void aUrlThatIsNotFtpIsRefusedWithItsPasswordMasked() {
        for (String url : new String[] {"sftp://ferrytest:Sekr3t@127.0.0.1:25021/a.bin",
                "ftp:/ferrytest:Sekr3t@127.0.0.1:25021/a.bin", "ftpx://ferrytest:Sekr3t@127.0.0.1/a.bin",
                "ftp://ferrytest:Sek@r3t@127.0.0.1:99999/a.bin"}) {
            Result r = run("get", "--ledger", tmp.resolve("l").toString(), url, tmp.resolve("x").toString());
            assertEquals(2, r.code, r.err);
            assertFalse(r.err.contains("Sekr3t") || r.err.contains("r3t") || r.out.contains("r3t"), r.err);
            assertTrue(r.err.contains("ferrytest:****@127.0.0.1"), r.err);
        }
    }

    /** A path that climbs out ('..') is the command line's fault: exit 2, nothing sent, the path named. */
    @Test
    void aRemotePathWithDotDotIsAUsageError() throws Exception {
        ftp = FtpServerFixture.builder().user("ferrytest", PASSWORD).start();
        Path source = java.nio.file.Files.write(tmp.resolve("x.bin"), new byte[1000]);
        Result put = run("put", "--ledger", tmp.resolve("l").toString(), source.toString(), base() + "/../../x.bin");
        assertEquals(2, put.code, put.err);
        assertTrue(put.err.contains("'/../../x.bin' contains '..'"), put.err);
        Result get = run("get", "--ledger", tmp.resolve("l").toString(), base() + "/a/../../x.bin",
                tmp.resolve("y.bin").toString());
        assertEquals(2, get.code, get.err);
        assertTrue(get.err.contains("contains '..'"), get.err);
        assertEquals(0, ftp.commandCount("STOR") + ftp.commandCount("RETR"), "something moved");
    }

    @Test
    void versionPrintsTheBuildsVersion() {
        for (String flag : new String[] {"--version", "-V"}) {
            Result r = run(flag);
            assertEquals(0, r.code, r.err);
            assertTrue(r.out.strip().matches("ferry \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out);
            assertEquals("", r.err);
        }
    }

    @Test
    void helpGetListsTheOptionsOfGet() {
        Result r = run("help", "get");
        assertEquals(0, r.code, r.err);
        for (String needle : new String[] {"ferry get", "-n, --segments=N", "--outage-wait=SEC", "-q, --quiet",
                "exit codes:"}) {
            assertTrue(r.out.contains(needle), needle + " in:\n" + r.out);
        }
    }

    /**
     * Nothing listens: the first refusal is reported while the command still waits for the server, with what was
     * tried and the next try, not after the whole outage wait in silence.
     */
    @Test
    void aRefusedConnectionIsReportedAtOnceWithTheNextRetry() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LineWatch err = new LineWatch("retrying in ");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Cli.run(new String[] {"get",
                "--outage-wait", "5", "--ledger", tmp.resolve("l").toString(),
                "ftp://ferrytest:" + PASSWORD + "@127.0.0.1:" + port + "/big.bin", tmp.resolve("x").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.seen.await(30, TimeUnit.SECONDS), "no retry line: " + err.text());
        assertFalse(code.isDone(), "the retry line came only at the exit: " + err.text());
        assertEquals(ExitCode.FAILED.code, (int) code.get(60, TimeUnit.SECONDS), err.text());
        List<String> lines = err.text().lines().toList();
        String first = lines.get(0);
        assertTrue(first.startsWith("retrying in 1 s (attempt 2 of "), first);
        assertTrue(first.contains("127.0.0.1:" + port), "names what was tried: " + first);
        assertTrue(first.toLowerCase().contains("connection refused"), first);
        assertTrue(lines.get(lines.size() - 1).startsWith("ferry: "), err.text());
        assertFalse(err.text().contains(PASSWORD), err.text());
    }

    /**
     * A hostile review: a put the server refused for good (vsftpd's "553 Could not create file" in a folder the user may
     * not write) exited 1, "run the same command again to resume", which could never help.
     */
    @Test
    void aPutTheServerRefusesForGoodExitsWithItsOwnCode() throws Exception {
        try (dev.ferry.testing.FtpServerFixture ftp = dev.ferry.testing.FtpServerFixture.builder()
                .ftplet("refuse", new org.apache.ftpserver.ftplet.DefaultFtplet() {
                    @Override
                    public org.apache.ftpserver.ftplet.FtpletResult beforeCommand(
                            org.apache.ftpserver.ftplet.FtpSession session, org.apache.ftpserver.ftplet.FtpRequest r)
                            throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
                        if (r.getCommand().equalsIgnoreCase("STOR") || r.getCommand().equalsIgnoreCase("APPE")) {
                            session.write(new DefaultFtpReply(553, "Could not create file."));
                            return org.apache.ftpserver.ftplet.FtpletResult.SKIP;
                        }
                        return org.apache.ftpserver.ftplet.FtpletResult.DEFAULT;
                    }
                }).start()) {
            java.nio.file.Path source = java.nio.file.Files.writeString(tmp.resolve("up.txt"), "refused");
            Result r = run("put", "--ledger", tmp.resolve("l").toString(), source.toString(),
                    "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + "/up.txt");
            assertEquals(ExitCode.REFUSED.code, r.code, r.err);
            assertTrue(r.err.contains("553"), r.err);
        }
    }

    @Test
    void anUnknownHostFailsAtOnceWithTheResolversAnswer() {
        long start = System.nanoTime();
        Result r = run("get", "--ledger", tmp.resolve("l").toString(),
                "ftp://ferrytest:" + PASSWORD + "@no-such-host.invalid/big.bin", tmp.resolve("x").toString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(ExitCode.FAILED.code, r.code, r.err);
        List<String> lines = r.err.lines().toList();
        assertEquals(1, lines.size(), "one line, no retries: " + r.err);
        assertTrue(lines.get(0).startsWith("ferry: ") && lines.get(0).contains("unknown host no-such-host.invalid"),
                r.err);
        // Eight tries with their pauses take over 15 s; one lookup is quick.
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
    }

    /** stderr to a pipe: plain lines (no carriage returns) while it moves, each with percent, rate and ETA. */
    @Test
    void inAPipeProgressLinesComeWhileTheTransferMoves() {
        ftp = FtpServerFixture.builder().user("ferrytest", PASSWORD).start();
        Path source = ftp.write("slow.bin", 4 << 20, 9);
        Result r = run("get", "--rate-limit", "1M", "--segments", "2", "--min-segment-size", "1M", "--ledger",
                tmp.resolve("l").toString(), base() + "/slow.bin", tmp.resolve("slow.bin").toString());
        assertEquals(0, r.code, r.err);
        assertEquals(Hashes.sha256(source), Hashes.sha256(tmp.resolve("slow.bin")));
        assertFalse(r.err.contains("\r"), "no redrawn bar in a pipe: " + r.err);
        List<Integer> percents = r.err.lines().map(PROGRESS::matcher).filter(Matcher::matches)
                .map(m -> Integer.parseInt(m.group(1))).filter(p -> p < 100).toList();
        assertTrue(percents.size() >= 2, "progress lines before the end: " + r.err);
        assertTrue(percents.stream().distinct().count() >= 2, "the percent moves: " + r.err);
    }

    private String base() {
        return "ftp://ferrytest:" + PASSWORD + "@" + ftp.host() + ":" + ftp.port();
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err) {
    }

    /** An output stream that counts down once a line containing {@code needle} has been written. */
    private static final class LineWatch extends ByteArrayOutputStream {
        final CountDownLatch seen = new CountDownLatch(1);
        private final String needle;

        LineWatch(String needle) {
            this.needle = needle;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            if (text().contains(needle)) {
                seen.countDown();
            }
        }

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
