package dev.ferry.transfer;

import dev.ferry.ledger.JdbcLedger;
import java.io.IOException;

/** A transfer whose final name holds a file that is kept as it is ({@link LiveTransfer#kept}): nothing moves. */
final class KeptFile {
    private KeptFile() {
    }

    static final String IGNORED = "skipped: the existing file was kept (fileExist Ignore)";
    static final String ALREADY_THERE = "already there: the server's copy has this file's size and hash, so nothing"
            + " was sent or replaced";

    static TransferResult publish(JdbcLedger ledger, LiveTransfer t, String where) throws IOException {
        t.local.close();
        ledger.published(t.id(), 0, 0);
        return new TransferResult(t.id(), where, t.size, 0, 0, 0, t.kept);
    }
}
