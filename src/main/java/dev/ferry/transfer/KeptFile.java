package dev.ferry.transfer;

import dev.ferry.ledger.JdbcLedger;
import java.io.IOException;

/** fileExist Ignore found the final name taken: a transfer with nothing to move, reported as kept (skipped). */
final class KeptFile {
    private KeptFile() {
    }

    static TransferResult publish(JdbcLedger ledger, LiveTransfer t, String where) throws IOException {
        t.local.close();
        ledger.published(t.id(), 0, 0);
        return new TransferResult(t.id(), where, t.size, 0, 0, 0,
                "skipped: " + where + " exists and was kept (fileExist Ignore)");
    }
}
