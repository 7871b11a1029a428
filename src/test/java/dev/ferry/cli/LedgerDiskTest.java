package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * A hostile review of local resources: a command whose ledger's disk was full or read-only ended with H2's words
 * ("accept failed … The database has been closed [90098-232]", "The database is read only"), exit 1 -- the network's
 * "run it again" -- or as a lease "another node owns now", on a command line where there is no other node. It says
 * what failed and what to do, exit 3.
 */
class LedgerDiskTest {
    @Test
    void aLedgerThatStoppedTakingWritesIsNamedWithWhatToDo() {
        Path dir = Path.of("/var/ferry/ledger");
        Exception closed = new RuntimeException("ledger: accept failed for transfer d-1: The database has been closed",
                new SQLException("The database has been closed [90098-232]", "90098", 90098));
        String line = LedgerDisk.problem(closed, dir);
        assertTrue(line.contains("/var/ferry/ledger") && line.contains("full or read-only")
                && line.contains("--ledger DIR") && line.contains("run it again"), line);
        assertNull(LedgerDisk.problem(new RuntimeException("Connection refused"), dir));
        String lease = LedgerDisk.lostLease(new RuntimeException(new dev.ferry.ledger.LostLeaseException("d-1",
                "node x could not renew its lease in time")), dir);
        assertTrue(lease.contains("run the command again") && !lease.contains("another node"), lease);
    }
}
