package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.cli.Cli;
import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process killed with SIGKILL half way, then run again: the result is byte-identical and what crosses the
 * network twice is bounded by one checkpoint interval per segment (plus what was in flight in socket buffers).
 */
class CrashResumeTest {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 64 * MIB;
    private static final long CHECKPOINT = 2 * MIB;
    private static final long IN_FLIGHT = MIB;
    private static final int SEGMENTS = 4;
    @TempDir
    Path tmp;

    @Test
    void downloadKilledWithSigkillResumes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(8 * MIB).start()) {
            Path source = ftp.write("crash.bin", SIZE, 41);
            Path target = tmp.resolve("crash.bin");
            String[] args = {"get", "--segments", "" + SEGMENTS, "--checkpoint", "2M", "--ledger",
                    tmp.resolve("ledger").toString(), url(ftp, "/crash.bin"), target.toString()};
            long firstRun = killHalfWay(args, ftp::bytesSent);
            assertFalse(Files.exists(target), "nothing under the final name after the crash");
            runAgain(args);
            long resent = ftp.bytesSent() - SIZE; // the counter spans both runs
            System.out.printf("download crash: first run sent %d, resent after kill -9: %d bytes (bound %d)%n",
                    firstRun, resent, SEGMENTS * (CHECKPOINT + IN_FLIGHT));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(resent <= SEGMENTS * (CHECKPOINT + IN_FLIGHT), "resent " + resent);
        }
    }

    @Test
    void parallelUploadKilledWithSigkillResumes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(8 * MIB).start()) {
            Path source = PseudoRandomContent.write(tmp.resolve("up.bin"), SIZE, 42);
            String[] args = {"put", "--segments", "" + SEGMENTS, "--checkpoint", "2M", "--ledger",
                    tmp.resolve("ledger").toString(), source.toString(), url(ftp, "/up/up.bin")};
            killHalfWay(args, ftp::bytesReceived);
            assertFalse(Files.exists(ftp.file("up/up.bin")), "nothing under the final name after the crash");
            runAgain(args);
            long resent = ftp.bytesReceived() - SIZE; // the counter spans both runs
            System.out.printf("parallel upload crash: resent after kill -9: %d bytes (bound %d)%n", resent,
                    SEGMENTS * (CHECKPOINT + IN_FLIGHT));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("up/up.bin")));
            assertTrue(resent <= SEGMENTS * (CHECKPOINT + IN_FLIGHT), "resent " + resent);
        }
    }

    @Test
    void sequentialUploadKilledWithSigkillResumesFromTheServersSize() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(16 * MIB).start()) {
            Path source = PseudoRandomContent.write(tmp.resolve("seq.bin"), SIZE, 43);
            String[] args = {"put", "--ledger", tmp.resolve("ledger").toString(), source.toString(),
                    url(ftp, "/seq.bin")};
            killHalfWay(args, ftp::bytesReceived);
            String said = runAgain(args);
            assertTrue(said.contains("resuming: "), "the rerun reports what the server already had: " + said);
            long resent = ftp.bytesReceived() - SIZE; // the counter spans both runs
            System.out.printf("sequential upload crash: resent after kill -9: %d bytes%n", resent);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("seq.bin")));
            // The server's SIZE is the resume point: only what was in flight is sent again.
            assertTrue(resent <= IN_FLIGHT, "resent " + resent);
        }
    }

    /**
     * Killed half way, then the source rewritten in place with its size and modification time put back (rsync
     * --inplace -t) before the next run, to a server without a hash: resumed as the same file, the server's first
     * half (old bytes) and the new second half were published as it, "verified by size". The change time moved, so
     * the run starts over.
     */
    @Test
    void anUploadWhoseSourceWasRewrittenInPlaceBetweenRunsStartsOver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(8 * MIB).start()) {
            Path source = PseudoRandomContent.write(tmp.resolve("re.bin"), SIZE, 44);
            java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(source);
            String[] args = {"put", "--segments", "" + SEGMENTS, "--checkpoint", "2M", "--ledger",
                    tmp.resolve("ledger").toString(), source.toString(), url(ftp, "/up/re.bin")};
            killHalfWay(args, ftp::bytesReceived);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(source,
                    java.nio.file.StandardOpenOption.WRITE)) {
                for (long at = 0; at < SIZE; at += SIZE / SEGMENTS) { // into what every segment sent already
                    ch.write(java.nio.ByteBuffer.wrap("rewritten".getBytes()), at + 1000);
                }
            }
            Files.setLastModifiedTime(source, mtime);
            String said = runAgain(args);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("up/re.bin")), "a mix was published");
            assertTrue(said.contains("change time moved"), "the rerun says why it starts over: " + said);
        }
    }

    private static long killHalfWay(String[] args, java.util.function.LongSupplier counter) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.builder(Cli.class).args(args).start()) {
            Await.until(Duration.ofSeconds(30), () -> counter.getAsLong() >= SIZE / 2 || !jvm.isAlive(),
                    () -> "no progress: " + counter.getAsLong() + " " + jvm.output());
            assertTrue(jvm.isAlive(), "the first run ended before the kill: " + jvm.output());
            assertEquals(137, jvm.kill9());
        }
        return counter.getAsLong();
    }

    private static String runAgain(String[] args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        System.out.println("second run said: " + err);
        assertEquals(0, code, err.toString());
        return err.toString();
    }

    private static String url(FtpServerFixture ftp, String path) {
        return "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + path;
    }
}
