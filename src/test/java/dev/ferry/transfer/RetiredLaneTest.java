package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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

/** A connection that did not pay is retired: the rest of its segment goes whole to the next one looking for work. */
class RetiredLaneTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;
    JdbcLedger ledger;
    LiveTransfer t;

    @BeforeEach
    void open() {
        ledger = JdbcLedger.h2(tmp);
        TransferRequest request = new TransferRequest(Direction.DOWNLOAD, "test", "/big.bin",
                tmp.resolve("big.bin").toString(), TransferOptions.none());
        ledger.accept(TransferRecord.accepted(request.id(), Direction.DOWNLOAD, "test", "/big.bin",
                request.localPath(), "{}"));
        List<SegmentRecord> plan = List.of(new SegmentRecord(0, 0, 8 * MIB, MIB, false),
                new SegmentRecord(1, 8 * MIB, 16 * MIB, 10 * MIB, false));
        ledger.start(request.id(), 16 * MIB, 1L, plan);
        ServerProfile profile = ServerProfile.builder("test").host("127.0.0.1").user("u").build();
        t = new LiveTransfer(request, TransferOptions.none().over(TransferOptions.DEFAULTS), profile, null,
                16 * MIB, 1L, null, tmp.resolve(".big.bin.part"), "/big.bin", null, ledger, plan);
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    @Test
    void theRestOfARetiredSegmentIsTakenWholeBeforeAnySteal() {
        LiveSegment retired = t.segment(1);
        retired.startRun();
        assertTrue(t.retire(retired, MIB));
        // It stops a few reads on, above what its connection may have on the wire.
        assertEquals(10 * MIB + LiveTransfer.STEAL_MARGIN, retired.end());
        LiveSegment rest = t.steal(MIB, 4 * MIB);
        assertEquals(10 * MIB + LiveTransfer.STEAL_MARGIN, rest.start);
        assertEquals(16 * MIB, rest.end());
        // The ledger has the same split, so a crash now resumes every byte.
        List<SegmentRecord> recorded = ledger.segments(t.id());
        assertEquals(new SegmentRecord(2, rest.start, 16 * MIB, rest.start, false), recorded.get(2));
        assertEquals(rest.start, recorded.get(1).end());
        // Taken once: the next thief splits a segment that is running instead.
        LiveSegment next = t.steal(MIB, 4 * MIB);
        assertTrue(next == null || next.index != rest.index);
    }

    @Test
    void aRestNoConnectionTookIsTakenOnceByTheLastLook() {
        LiveSegment retired = t.segment(1);
        retired.startRun();
        assertTrue(t.retire(retired, MIB));
        LiveSegment rest = t.takeUnclaimed();
        assertSame(rest, t.segments().isEmpty() ? null : t.segment(rest.index));
        assertNull(t.takeUnclaimed());
    }

    @Test
    void aSegmentNearItsEndIsNotSplitToRetireIt() {
        LiveSegment s = t.segment(1);
        s.offset(16 * MIB - MIB / 2);
        assertFalse(t.retire(s, MIB));
        assertEquals(16 * MIB, s.end());
        assertNull(t.takeUnclaimed());
    }
}
