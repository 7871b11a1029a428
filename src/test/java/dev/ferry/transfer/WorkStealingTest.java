package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end of a transfer: which tails are worth a new request, judged by the connections' measured rates. */
class WorkStealingTest {
    private static final long MIB = 1 << 20;
    private static final long KIB = 1 << 10;

    @TempDir
    Path tmp;
    JdbcLedger ledger;

    @BeforeEach
    void open() {
        ledger = JdbcLedger.h2(tmp);
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    /** Segment 0 done, segment 1 with {@code left} bytes to go, moving at about {@code rate} bytes per second. */
    private LiveTransfer lastSegmentMovingAt(long left, long rate) throws InterruptedException {
        TransferRequest request = new TransferRequest(Direction.DOWNLOAD, "test", "/big.bin",
                tmp.resolve("big.bin").toString(), TransferOptions.none());
        ledger.accept(TransferRecord.accepted(request.id(), Direction.DOWNLOAD, "test", "/big.bin",
                request.localPath(), "{}"));
        List<SegmentRecord> plan = List.of(new SegmentRecord(0, 0, 8 * MIB, 8 * MIB, true),
                new SegmentRecord(1, 8 * MIB, 16 * MIB, 16 * MIB - left, false));
        ledger.start(request.id(), 16 * MIB, 1L, plan);
        ServerProfile profile = ServerProfile.builder("test").host("127.0.0.1").user("u").build();
        LiveTransfer t = new LiveTransfer(request, TransferOptions.none().over(TransferOptions.DEFAULTS), profile, null,
                16 * MIB, 1L, null, tmp.resolve(".big.bin.part"), "/big.bin", null, ledger, plan);
        LiveSegment victim = t.segment(1);
        long moved = rate * 400 / 1000;
        victim.offset(victim.offset() - moved);
        victim.startRun();
        Thread.sleep(400);
        victim.offset(victim.offset() + moved);
        return t;
    }

    @Test
    void aSlowConnectionsLastMebibyteIsStolenByAFastOne() throws Exception {
        // 1 MiB at 512 KiB/s is two seconds of waiting; a thief at 4 MiB/s takes most of it.
        LiveTransfer t = lastSegmentMovingAt(MIB, 512 * KIB);
        LiveSegment stolen = t.steal(MIB, 4 * MIB);
        assertNotNull(stolen, "the slow tail was left to the slow connection");
        LiveSegment victim = t.segment(1);
        long kept = victim.end() - victim.offset();
        assertTrue(kept >= LiveTransfer.STEAL_MARGIN && kept < MIB / 2, "victim keeps " + kept);
        assertEquals(16 * MIB, stolen.end());
        assertEquals(victim.end(), stolen.start);
        // The ledger has the same split, so a crash now resumes both parts.
        List<SegmentRecord> recorded = ledger.segments(t.id());
        assertEquals(3, recorded.size());
        assertEquals(victim.end(), recorded.get(1).end());
        assertEquals(new SegmentRecord(2, victim.end(), 16 * MIB, victim.end(), false), recorded.get(2));
    }

    @Test
    void aFastConnectionsLastMebibyteIsNotWorthANewRequest() throws Exception {
        // 1 MiB at 16 MiB/s ends in a sixteenth of a second: below minSteal, a new RETR would not be sooner. (So fast
        // that even a stalled test thread, which lowers the measured rate, keeps the victim under a second.)
        LiveTransfer t = lastSegmentMovingAt(MIB, 16 * MIB);
        assertNull(t.steal(MIB, 4 * MIB));
        assertEquals(2, ledger.segments(t.id()).size());
    }

    @Test
    void aTailOfUnknownRateIsLeftBelowMinSteal() throws Exception {
        // Without a measured rate nothing says the victim is slow: the minimum stands.
        LiveTransfer t = lastSegmentMovingAt(MIB, 512 * KIB);
        t.segment(1).startRun();
        assertNull(t.steal(MIB, 4 * MIB));
    }
}
