package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server goes down mid-transfer (the embedded fixture stopped, every session dropped) and comes back on the same
 * port and root while Ferry is retrying: the transfer finishes identical.
 */
@Tag("fault")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerRestartTest {
    private static final int MIB = 1 << 20;
    private static final long SEED = FaultSummary.seed(0xFE77_0004L);
    private final FaultSummary summary = new FaultSummary(ServerRestartTest.class, SEED);
    private final Random random = new Random(SEED);

    @TempDir
    Path tmp;

    @AfterAll
    void printSummary() {
        summary.print();
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void serverRestartedMidTransfer(Direction direction) throws Exception {
        long size = 8L * MIB + random.nextInt(MIB);
        long downAt = (long) (size * (0.2 + 0.6 * random.nextDouble()));
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(4 * MIB).start()) {
            String remote = "/restart/" + direction + ".bin";
            Path local = tmp.resolve(direction + ".bin");
            Path source = direction == Direction.DOWNLOAD ? ftp.write(remote, size, 4) : PseudoRandomContent.write(local, size, 4);
            ServerProfile profile = ServerProfile.builder("restarting").host(ftp.host()).port(ftp.port())
                    .user(ftp.user()).password(ftp.password()).connectionLimit(4)
                    .connectTimeout(Duration.ofSeconds(2)).soTimeout(Duration.ofSeconds(2))
                    .dataTimeout(Duration.ofSeconds(2)).build();
            TransferRequest request = new TransferRequest(direction, profile.name(), remote, local.toString(),
                    TransferOptions.none().withSegments(4).withMinSegmentSize(MIB).withCheckpointBytes(512 * 1024)
                            .withMaxAttempts(20));
            AtomicLong done = new AtomicLong();
            AtomicInteger retries = new AtomicInteger();
            try (FaultRounds f = new FaultRounds(tmp.resolve("ledger-" + direction), profile)) {
                f.listen(new TransferListener() {
                    @Override
                    public void checkpoint(TransferView t, int segment, long offset) {
                        done.set(t.bytesDone());
                    }

                    @Override
                    public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
                        retries.incrementAndGet();
                    }
                });
                long t0 = System.nanoTime();
                CompletableFuture<TransferResult> running = f.engine.submit(request);
                Await.until(Duration.ofSeconds(30), () -> done.get() >= downAt || running.isDone(),
                        () -> "no progress to " + downAt + ": " + done.get());
                ftp.stop();
                summary.faults.incrementAndGet();
                // Back once Ferry has noticed and is retrying against a dead port.
                Await.until(Duration.ofSeconds(30), () -> retries.get() >= 1 || running.isDone(),
                        () -> "no retry after the server went down");
                ftp.start();
                TransferResult r = running.get(FaultRounds.ROUND_LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertNotNull(r);
                summary.rounds.incrementAndGet();
                Path arrived = direction == Direction.DOWNLOAD ? local : ftp.file(remote);
                assertEquals(Hashes.sha256(source), Hashes.sha256(arrived));
                summary.verified.incrementAndGet();
                long moved = direction == Direction.DOWNLOAD ? ftp.bytesSent() : ftp.bytesReceived();
                summary.resent.addAndGet(Math.max(0, moved - size));
                assertTrue(r.retries() >= 1, "retried: " + r.retries());
                System.out.printf("%s: server down at %d of %d bytes, back after %d retries; done in %d ms%n",
                        direction, downAt, size, r.retries(), (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }
}
