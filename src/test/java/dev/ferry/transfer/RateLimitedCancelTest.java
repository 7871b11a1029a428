package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a cancel did not stop a rate-limited transfer. Its segments slept in the rate limit, a buffer at a
 * time (64 KiB at 4 KiB/s shared by four segments: a minute), so the API said "cancelling" while the transfer stayed
 * ACTIVE, kept its threads and connections, and refused its resume as running.
 */
class RateLimitedCancelTest {
    @TempDir
    Path tmp;

    @Test
    void aCancelStopsARateLimitedTransferAtOnce() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("slow.bin", 1 << 20, 61);
            Path target = tmp.resolve("slow.bin");
            TransferRequest request = h.download("/slow.bin", target, TransferOptions.none().withSegments(4)
                    .withMinSegmentSize(64 * 1024).withRateLimit(4096));
            CompletableFuture<TransferResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return h.engine.run(request);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Await.until(Duration.ofSeconds(20), () -> h.engine.active().stream().anyMatch(v -> v.id().equals(
                    request.id()) && v.bytesDone() > 0), () -> "the transfer never moved a byte");
            // A segment waits in the rate limit now: the cancel must end that wait, not come before it.
            Await.until(Duration.ofSeconds(20), RateLimitedCancelTest::aSegmentWaitsInTheRateLimit,
                    () -> "no segment waits in the rate limit");
            long cancelled = System.nanoTime();
            assertTrue(h.engine.cancel(request.id()));
            try {
                run.get(5, TimeUnit.SECONDS);
                throw new AssertionError("the cancelled transfer ended as done");
            } catch (ExecutionException e) {
                assertTrue(String.valueOf(e.getCause().getMessage()).contains("cancelled"), e.getCause().toString());
            }
            long took = (System.nanoTime() - cancelled) / 1_000_000;
            assertTrue(took < 3000, "the cancel took " + took + " ms");
            assertEquals(TransferStatus.CANCELLED, h.ledger.find(request.id()).orElseThrow().status());

            h.engine.run(h.download("/slow.bin", target, TransferOptions.none().withSegments(4)
                    .withMinSegmentSize(64 * 1024)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        }
    }

    private static boolean aSegmentWaitsInTheRateLimit() {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> java.util.Arrays.stream(stack)
                .anyMatch(f -> f.getClassName().equals(RateLimiter.class.getName())
                        && f.getMethodName().equals("acquire")));
    }
}
