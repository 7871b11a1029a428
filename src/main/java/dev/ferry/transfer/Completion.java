package dev.ferry.transfer;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import java.util.Comparator;
import java.util.List;

/** Invariant 3: a transfer is complete when the ledger says every segment is done and they tile the whole file. */
final class Completion {
    private Completion() {
    }

    static void require(JdbcLedger ledger, LiveTransfer t) {
        List<SegmentRecord> segments = ledger.segments(t.id()).stream()
                .sorted(Comparator.comparingLong(SegmentRecord::start)).toList();
        long next = 0;
        for (SegmentRecord s : segments) {
            if (!s.done() || s.start() != next) {
                throw new IllegalStateException("transfer " + t.id() + " is not complete in the ledger: segment "
                        + s.index() + " [" + s.start() + ", " + s.end() + ") is " + (s.done() ? "done" : "at " + s.offset())
                        + ", expected to start at " + next);
            }
            next = s.end();
        }
        if (next != t.size) {
            throw new IllegalStateException("transfer " + t.id() + ": the ledger's segments cover " + next + " of "
                    + t.size + " bytes");
        }
    }
}
