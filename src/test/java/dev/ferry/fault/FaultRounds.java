package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import dev.ferry.transfer.TransferResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One engine on its own ledger for one round, and the bounded run every round ends with. */
final class FaultRounds implements AutoCloseable {
    /** No round may take longer: a transfer that neither finishes nor fails in this time hangs. */
    static final Duration ROUND_LIMIT = Duration.ofSeconds(60);

    final JdbcLedger ledger;
    final TransferEngine engine;

    FaultRounds(Path ledgerDir, ServerProfile profile) {
        ledger = JdbcLedger.h2(ledgerDir);
        engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
    }

    FaultRounds listen(TransferListener listener) {
        engine.addListener(listener);
        return this;
    }

    /**
     * Runs the request within {@link #ROUND_LIMIT}: the result, or null when it failed; a failure must be a clear
     * record in the ledger (FAILED, with a reason that names the file).
     */
    TransferResult runBounded(TransferRequest request, String round) throws InterruptedException {
        long t0 = System.nanoTime();
        CompletableFuture<TransferResult> running = engine.submit(request);
        try {
            TransferResult r = running.get(ROUND_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            System.out.printf("%s: done in %d ms, %d retries, %s%n", round, (System.nanoTime() - t0) / 1_000_000,
                    r.retries(), r.verification());
            return r;
        } catch (TimeoutException e) {
            engine.cancel(request.id());
            fail(round + ": hung, neither finished nor failed within " + ROUND_LIMIT.toSeconds() + " s");
            return null;
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof TransferFailedException, round + ": " + e.getCause());
            TransferRecord record = ledger.find(request.id()).orElseThrow();
            System.out.printf("%s: failed in %d ms: %s%n", round, (System.nanoTime() - t0) / 1_000_000,
                    record.reason());
            assertEquals(TransferStatus.FAILED, record.status(), round + ": " + e.getCause().getMessage());
            assertNotNull(record.reason(), round);
            String name = Path.of(request.localPath()).getFileName().toString();
            assertTrue(record.reason().contains(name) || record.reason().contains(request.remotePath()),
                    round + ": the reason names the file: " + record.reason());
            assertFalse(java.nio.file.Files.exists(Path.of(request.localPath()))
                    && request.direction() == dev.ferry.plan.Direction.DOWNLOAD, round + ": no file under the final name");
            return null;
        }
    }

    @Override
    public void close() {
        engine.close();
        ledger.close();
    }
}
