package dev.ferry.ledger;

import java.nio.file.Path;

/**
 * The ledger contract, the lock refusal and a checkpoint surviving kill -9, on the ledger {@code ferry get|put} of one
 * file opens: H2 sessions without a pool ({@link DirectConnections}).
 */
class JdbcLedgerH2OneFileTest extends JdbcLedgerH2Test {
    @Override
    protected JdbcLedger open(Path dir) {
        return JdbcLedger.h2ForOneFile(dir);
    }

    @Override
    protected String childMode() {
        return LedgerCrashChild.ONE_FILE;
    }
}
