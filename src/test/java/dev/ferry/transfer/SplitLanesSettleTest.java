package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Camel split's end ({@link TransferEngine#publishOrRestart}) for an adaptive transfer one of whose planned
 * segments never reached {@code ferry:segment} (its exchange failed before, e.g. in the idempotent consumer): no
 * planned lane is the last to end, so none waits for the connections added beside them. The split's end must settle
 * them -- cancel them and wait for them -- before it reports the failure (or a restart plans afresh); else they go on
 * moving bytes and writing checkpoints after the transfer has ended.
 */
class SplitLanesSettleTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void theSplitsEndWithAPlannedSegmentThatNeverRanWaitsForTheAddedLanesBeforeItReportsTheFailure()
            throws Exception {
        // 1 MiB/s per connection: each added connection raises the rate, so lanes are added beside the planned ones.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("big.bin", 64 * MIB, 31);
            Path target = tmp.resolve("big.bin");
            // Segment starts and ends by thread: the planned lanes run on the split's threads (here "split-N"),
            // the added ones on the engine's own.
            Map<String, AtomicInteger> openOnAdded = new ConcurrentHashMap<>();
            List<String> addedLanes = new CopyOnWriteArrayList<>();
            h.engine.addListener(new TransferListener() {
                @Override
                public void segmentStart(TransferView t, int segment, long from, long to) {
                    if (!Thread.currentThread().getName().startsWith("split-")) {
                        addedLanes.add(Thread.currentThread().getName() + " #" + segment);
                        openOnAdded.computeIfAbsent(Thread.currentThread().getName(), n -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }

                @Override
                public void segmentEnd(TransferView t, int segment, long bytes) {
                    ended();
                }

                @Override
                public void segmentFailed(TransferView t, int segment, Throwable cause) {
                    ended();
                }

                private void ended() {
                    AtomicInteger open = openOnAdded.get(Thread.currentThread().getName());
                    if (open != null) {
                        open.decrementAndGet();
                    }
                }
            });

            TransferRequest request = h.engine.accept(h.download("/big.bin", target,
                    TransferOptions.none().withMinSegmentSize(MIB)));
            LiveTransfer t = h.engine.plan(request);
            int planned = t.segments().size();
            assertTrue(planned > 1, "an adaptive transfer starts with several segments: " + planned);
            AtomicInteger n = new AtomicInteger();
            ExecutorService split = Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "split-" + n.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            List<Future<?>> ran = new ArrayList<>();
            try {
                // Every planned segment but the last, as the split's exchanges would run them.
                for (TransferView.SegmentView s : t.segments().subList(0, planned - 1)) {
                    ran.add(split.submit(() -> {
                        h.engine.runSegment(t, s.index());
                        return null;
                    }));
                }
                Await.until(Duration.ofSeconds(30), () -> !addedLanes.isEmpty(),
                        () -> "no connection added: " + h.events);

                // The last planned segment's exchange failed before it reached ferry:segment: the aggregation hands
                // that failure to the split's end.
                TransferFailedException never = new TransferFailedException(t.id(),
                        "segment " + (planned - 1) + " never ran: the ledger could not be reached", null);
                TransferFailedException reported = assertThrows(TransferFailedException.class,
                        () -> h.engine.publishOrRestart(request, t, never));

                // At the split's end every added lane has ended: none still moves bytes for a transfer that failed.
                Map<String, Integer> stillOpen = new java.util.TreeMap<>();
                openOnAdded.forEach((thread, open) -> {
                    if (open.get() != 0) {
                        stillOpen.put(thread, open.get());
                    }
                });
                assertEquals(Map.of(), stillOpen, "added lanes still running after the split's end: " + addedLanes);
                assertSame(never, reported);
                assertFalse(Files.exists(target), "nothing published");
            } finally {
                t.cancel();
                for (Future<?> f : ran) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException expected) {
                        // The planned lanes end cancelled.
                    }
                }
                split.shutdownNow();
            }
        }
    }
}
