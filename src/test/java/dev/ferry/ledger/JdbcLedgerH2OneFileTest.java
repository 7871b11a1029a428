package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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

    /**
     * Ctrl-C interrupts the command's main thread while other segments still checkpoint. Without a pool between them
     * and H2, an interrupt must not take the database down for the others (on a plain file channel it closed H2's
     * file: the interrupted write failed, and every session after it): the interrupted thread's write is made whole,
     * its interrupt is kept for it to act on, and the ledger stays open.
     */
    @Test
    void anInterruptedThreadsWriteIsMadeAndTheLedgerStaysOpen() {
        ledger.accept(transfer("before"));
        Thread.currentThread().interrupt();
        try {
            ledger.accept(transfer("interrupted"));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller to see");
        } finally {
            Thread.interrupted();
        }
        ledger.accept(transfer("after"));
        assertEquals("after", ledger.find("after").orElseThrow().id());
        assertEquals("before", ledger.find("before").orElseThrow().id());
        assertEquals("/pub/interrupted.iso", ledger.find("interrupted").orElseThrow().remotePath());
    }

    /**
     * A closed ledger takes no more writes: a late statement of one of its threads is refused rather than opening the
     * database again behind the close, where the next command in this JVM would find it (half-closed after an
     * interrupted write: "Writing to FileChannel failed" on its first accept, CliRemoteFolderTest in CI).
     */
    @Test
    void aClosedLedgerRefusesALateWriteInsteadOfOpeningTheDatabaseAgain() {
        Path dir = dataDir.resolve("closing");
        JdbcLedger closed = open(dir);
        closed.accept(transfer("before"));
        closed.close();
        assertThrows(LedgerException.class, () -> closed.accept(transfer("late")));

        JdbcLedger again = open(dir);
        try {
            assertEquals("before", again.find("before").orElseThrow().id());
            assertTrue(again.find("late").isEmpty(), "nothing written after the close");
        } finally {
            again.close();
        }
    }
}
