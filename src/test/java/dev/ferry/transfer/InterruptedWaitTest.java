package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service stopping interrupts its transfer threads; one waiting for a connection (the server's connections all
 * taken) failed with "interrupted while waiting for a connection" and was recorded FAILED, so no start ever ran it
 * again: a download accepted through the API was forgotten. An interrupted transfer is left unfinished, for the next
 * start to resume (a review's reproduction, with SIGTERM).
 */
class InterruptedWaitTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void aTransferInterruptedWhileWaitingForAConnectionIsLeftToResume() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).connectionLimit(1).build())) {
            Path slowSource = ftp.write("slow.bin", 8 * MIB, 1);
            Path waitingSource = ftp.write("waiting.bin", 64 << 10, 2);
            TransferOptions one = TransferOptions.none().withSegments(1);
            Thread slow = new Thread(() -> {
                try {
                    h.engine.run(h.download("/slow.bin", tmp.resolve("slow.bin"), one));
                } catch (TransferFailedException e) {
                    // the test's end closes the engine under it
                }
            });
            slow.start();
            Await.until(Duration.ofSeconds(30), () -> ftp.maxConcurrentSessions() >= 1, () -> "no connection yet");
            var waiting = h.download("/waiting.bin", tmp.resolve("waiting.bin"), one);
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    h.engine.run(waiting);
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            waiter.start();
            Await.until(Duration.ofSeconds(30), () -> h.ledger.find(waiting.id()).isPresent(), () -> "not accepted");
            // Parked in the pool's wait for the one connection, not somewhere on the way to it.
            Await.until(Duration.ofSeconds(30), () -> waiter.getState() == Thread.State.WAITING
                    || waiter.getState() == Thread.State.TIMED_WAITING, () -> "waiter is " + waiter.getState());
            waiter.interrupt();
            waiter.join(30_000);
            assertTrue(ended.get() instanceof TransferFailedException, String.valueOf(ended.get()));
            TransferStatus status = h.ledger.find(waiting.id()).orElseThrow().status();
            assertNotEquals(TransferStatus.FAILED, status, "recorded as failed: " + ended.get().getMessage());
            assertTrue(ended.get().getMessage().contains("resumes at the next start"), ended.get().getMessage());

            slow.join(60_000);
            assertEquals(Hashes.sha256(slowSource), Hashes.sha256(tmp.resolve("slow.bin")));
            h.close();
            // The next start (a new engine on the same ledger) finds it unfinished and runs it to a verified copy.
            try (EngineHarness next = new EngineHarness(tmp.resolve("ledger"),
                    EngineHarness.profileFor(ftp).connectionLimit(1).build())) {
                assertTrue(next.engine.claimUnfinished().stream().anyMatch(r -> r.id().equals(waiting.id())),
                        "not offered again: " + next.ledger.find(waiting.id()));
                next.engine.runAccepted(waiting);
                assertEquals(Hashes.sha256(waitingSource), Hashes.sha256(tmp.resolve("waiting.bin")));
            }
        }
    }
}
