package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.cli.Cli;
import dev.ferry.ledger.JdbcLedger;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL after the server renamed the upload into place and before the ledger recorded it
 * published: the run after it finds the file published (temporary name gone, final name with the size and bytes
 * sent) and records it so, sending nothing again, instead of failing or uploading it a second time.
 */
class RenameCrashTest {
    private static final long SIZE = (3L << 20) + 5;
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sequential", "parallel"})
    void aCrashBetweenTheRenameAndTheLedgerEndsPublished(String strategy) throws Exception {
        HeldRename held = new HeldRename();
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ftplet("held-rename", held).start()) {
            Path source = PseudoRandomContent.write(tmp.resolve("placed.bin"), SIZE, 71);
            Path ledger = tmp.resolve("ledger");
            String[] args = {"put", "--ledger", ledger.toString(), "--upload-strategy", strategy, "--segments", "3",
                    "--min-segment-size", "1M", source.toString(), url(ftp, "/out/placed.bin")};
            try (ForkedJvm jvm = ForkedJvm.builder(Cli.class).args(args).start()) {
                Await.until(Duration.ofSeconds(60), () -> held.renamed() >= 1 || !jvm.isAlive(),
                        () -> "no rename: " + jvm.output());
                assertTrue(jvm.isAlive(), "the first run ended before the kill: " + jvm.output());
                assertEquals(137, jvm.kill9());
            } finally {
                held.release();
            }
            assertTrue(Files.exists(ftp.file("out/placed.bin")), "the server renamed it before the crash");
            long received = ftp.bytesReceived();

            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
            assertEquals(0, code, err.toString());
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("out/placed.bin")));
            // The new process probes the server again (a few bytes); the file itself is not sent a second time.
            long again = ftp.bytesReceived() - received;
            assertTrue(again < 100, "sent again: " + again + " bytes");
            try (JdbcLedger l = JdbcLedger.h2(ledger)) {
                assertEquals(0, l.unfinished().size(), "recorded as finished: " + l.unfinished());
                assertEquals(1, l.recent(10).stream().filter(r -> r.status() == dev.ferry.ledger.TransferStatus.PUBLISHED).count(),
                        "published: " + l.recent(10));
            }
        }
    }

    private static String url(FtpServerFixture ftp, String path) {
        return "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port() + path;
    }

    /** Carries out the first RNTO, then holds its reply until released: the client waits and is killed there. */
    private static final class HeldRename extends DefaultFtplet {
        private final AtomicInteger renamed = new AtomicInteger();
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public FtpletResult onRenameStart(FtpSession session, FtpRequest request) throws FtpException {
            FtpFile from = session.getRenameFrom();
            if (from == null || renamed.get() > 0) {
                return FtpletResult.DEFAULT;
            }
            FtpFile to = session.getFileSystemView().getFile(request.getArgument());
            if (!from.move(to)) {
                throw new FtpException("the test could not rename " + from.getAbsolutePath());
            }
            renamed.incrementAndGet();
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FtpletResult.DISCONNECT;
        }

        int renamed() {
            return renamed.get();
        }

        void release() {
            released.countDown();
        }
    }
}
