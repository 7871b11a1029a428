package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A planned segment of the Camel split that another lane's failure stopped reports that failure, not the cancel that
 * stopped it: the split's end hands its segments' failures to the upload inbox, which keeps a cancelled drop in
 * {@code .cancelled/} (a person's cancel, resumable, no reason file) and a failed one in {@code .failed/} with its
 * reason. An added connection's failure cancelled every planned segment, so a failed upload was filed as cancelled.
 */
class SplitLanesFailureTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aSegmentStoppedByAnotherLanesFailureReportsThatFailureAndAPersonsCancelStaysACancel() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("two.bin", 4 * MIB, 7);
            TransferRequest request = h.engine.accept(h.download("/two.bin", tmp.resolve("two.bin"),
                    TransferOptions.none().withMinSegmentSize(MIB).withSegments(2)));
            LiveTransfer t = h.engine.plan(request);
            ExecutorService threads = Executors.newCachedThreadPool();
            try {
                // Two planned segments; the lanes' body is never reached (the segments below fail at once).
                SplitLanes split = new SplitLanes(t, 2, futures -> new AdaptiveLanes(t, null,
                        AdaptiveWidth.withCeiling(16), (first, session, lane) -> { }, threads, futures),
                        threads, e -> new TransferFailedException(t.id(), "interrupted", e));
                TransferFailedException cancel = new TransferFailedException(t.id(),
                        "transfer " + t.id() + " was cancelled", new CancelledException(t.id()));

                t.cancel(); // a person's cancel: nothing failed
                assertSame(cancel, assertThrows(TransferFailedException.class,
                        () -> split.run(0, (lanes, index) -> {
                            throw cancel;
                        })));

                TransferFailedException real = new TransferFailedException(t.id(),
                        "an added connection could not write: No space left on device",
                        new IOException("No space left on device"));
                t.firstFailure(real); // what the engine records where an added lane failed, before it cancels
                assertSame(real, assertThrows(TransferFailedException.class,
                        () -> split.run(1, (lanes, index) -> {
                            throw cancel;
                        })));
            } finally {
                threads.shutdownNow();
            }
        }
    }
}
