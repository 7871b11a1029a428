package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.cli.Cli;
import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a running {@code ferry get|put} (the command line in its own JVM, with {@code --ledger}) at
 * seeded random points, then the same command again: it must end byte-identical. What the server sent or received
 * twice is counted from the fixture's counters.
 */
@Tag("fault")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillNineTest {
    private static final int MIB = 1 << 20;
    private static final long SEED = FaultSummary.seed(0xFE77_0002L);
    /** Per direction; CI runs 2 x 10 = 20 rounds. */
    private static final int ROUNDS = Integer.getInteger("ferry.fault.killRounds", 10);

    @TempDir
    Path tmp;
    private FaultSummary summary;
    private FtpServerFixture ftp;

    @BeforeAll
    void begin() {
        summary = new FaultSummary(KillNineTest.class, SEED);
        // In-place writes so uploads run in parallel too; a per-connection rate so the kill lands mid-transfer.
        ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(4 * MIB).start();
    }

    @AfterAll
    void end() {
        if (ftp != null) {
            ftp.close();
        }
        summary.print();
    }

    @Test
    void downloadsKilledAtRandomPointsResume() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            long size = 4L * MIB + random.nextInt(4 * MIB);
            String remote = "/kill/get-" + i + ".bin";
            Path source = ftp.write(remote, size, 1000 + i);
            Path target = tmp.resolve("get-" + i + ".bin");
            List<String> args = common("get", i);
            args.add(url(remote));
            args.add(target.toString());
            round("get " + i, args, size, random, ftp::bytesSent);
            assertFalse(Files.exists(tmp.resolve(".get-" + i + ".bin.part")));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target), "get round " + i);
            summary.verified.incrementAndGet();
        }
    }

    @Test
    void uploadsKilledAtRandomPointsResume() throws Exception {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < ROUNDS; i++) {
            long size = 4L * MIB + random.nextInt(4 * MIB);
            Path source = PseudoRandomContent.write(tmp.resolve("put-" + i + ".bin"), size, 2000 + i);
            String remote = "/kill/put-" + i + ".bin";
            List<String> args = common("put", i);
            args.add("--upload-strategy");
            args.add(random.nextBoolean() ? "parallel" : "sequential");
            args.add(source.toString());
            args.add(url(remote));
            round("put " + i + " (" + args.get(args.size() - 3) + ")", args, size, random, ftp::bytesReceived);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file(remote)), "put round " + i);
            summary.verified.incrementAndGet();
        }
    }

    private List<String> common(String command, int i) {
        return new ArrayList<>(List.of(command, "--segments", "4", "--min-segment-size", "1M", "--checkpoint", "512K",
                "--timeout", "5", Boolean.getBoolean("ferry.fault.debug") ? "--verbose" : "--quiet", "--ledger", tmp.resolve("ledger-" + command + "-" + i).toString()));
    }

    /** Runs the command in a child JVM, kills it once the server counted {@code killAt} bytes, runs it again. */
    private void round(String name, List<String> args, long size, Random random, LongSupplier counter) {
        long before = counter.getAsLong();
        long killAt = (long) (size * (0.05 + 0.85 * random.nextDouble()));
        String[] argv = args.toArray(String[]::new);
        boolean killed;
        try (ForkedJvm jvm = ForkedJvm.builder(Cli.class).args(argv).start()) {
            Await.until(Duration.ofSeconds(60), () -> counter.getAsLong() - before >= killAt || !jvm.isAlive(),
                    () -> name + ": no progress to " + killAt + " bytes: " + jvm.output());
            killed = jvm.isAlive();
            if (killed) {
                assertEquals(137, jvm.kill9(), name);
                summary.faults.incrementAndGet();
            } else {
                assertEquals(0, jvm.awaitExit(Duration.ofSeconds(10)), name + ": " + jvm.output());
            }
        }
        long firstRun = counter.getAsLong() - before;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = Cli.run(argv, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(0, code, name + " rerun: " + err.toString(StandardCharsets.UTF_8));
        long total = counter.getAsLong() - before;
        summary.rounds.incrementAndGet();
        summary.resent.addAndGet(Math.max(0, total - size));
        if (Boolean.getBoolean("ferry.fault.debug")) {
            System.out.println(err.toString(StandardCharsets.UTF_8));
        }
        System.out.printf("%s: %s at %d of %d bytes (first run moved %d), rerun %d ms, moved again %d%n", name,
                killed ? "kill -9" : "finished before the kill", killAt, size, firstRun,
                (System.nanoTime() - t0) / 1_000_000, Math.max(0, total - size));
    }

    private String url(String path) {
        return "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + path;
    }
}
