package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.ledger.SegmentRecord;
import dev.ferry.plan.TransferOptions;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment read to its end is recorded before the server answers the early close of its data connection: against
 * a server that ends the whole session at that close, the retry that follows, or a run that ends there, starts from
 * the segment's end and not from its last checkpoint.
 */
class EarlyCloseCheckpointTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aSegmentsEndIsInTheLedgerWhenTheServerDropsTheSessionAtTheEarlyClose() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(8 * MIB).start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).host(proxy.host()).port(proxy.port()).build())) {
            // Paced, so the server is still sending when a segment's reader closes: the close is an early one.
            Path source = ftp.write("two.bin", 8 * MIB, 71);
            List<String> recordedAtRetry = new CopyOnWriteArrayList<>();
            h.engine.addListener(new TransferListener() {
                @Override
                public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
                    SegmentRecord r = h.ledger.segments(t.id()).stream().filter(s -> s.index() == segment)
                            .findFirst().orElseThrow();
                    recordedAtRetry.add("segment " + segment + " [" + r.start() + ", " + r.end() + ") at "
                            + (r.done() ? r.end() : r.offset()));
                }
            });
            proxy.cutControlOnEarlyDataClose(true);
            Path local = tmp.resolve("two.bin");
            // No checkpoint inside a segment: only its end can be recorded before the cut.
            h.engine.run(h.download("/two.bin", local, TransferOptions.none().withSegments(2)
                    .withMinSegmentSize(MIB).withCheckpointBytes(64 * MIB)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(local));
            assertFalse(recordedAtRetry.isEmpty(), "no retry after the proxy's cuts (" + proxy.faultsInjected() + ")");
            for (String at : recordedAtRetry) {
                String[] range = at.substring(at.indexOf('[') + 1, at.indexOf(')')).split(", ");
                assertEquals(range[1], at.substring(at.lastIndexOf(' ') + 1), "when the retry began: " + at);
            }
        }
    }
}
