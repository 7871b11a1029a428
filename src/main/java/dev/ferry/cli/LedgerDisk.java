package dev.ferry.cli;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * A command's ledger that stopped taking writes while it ran: its disk full or read-only. H2 then says "The database
 * has been closed" or "is read only", and the run ended with that, exit 1 (the network's, "run it again"), or as a
 * lease another node took -- on a command line, where there is no other node. What to do is the person's: free the
 * space or choose another ledger, then run it again, and it resumes.
 */
final class LedgerDisk {
    /** H2: the database closed itself (a write failed), is read-only, or its file could not be written. */
    private static final java.util.Set<Integer> H2_CODES = java.util.Set.of(90098, 90097, 90028);

    private LedgerDisk() {
    }

    /** The line to print instead of the failure's own (exit 3), or null when the ledger's disk is not what failed. */
    static String problem(Throwable failure, Path ledgerDir) {
        if (failure instanceof CliLedgerException l && l.local) {
            return null; // its folder could not be made: said with its own advice
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof SQLException s && H2_CODES.contains(s.getErrorCode())
                    || m.contains("No space left on device") || m.contains("Read-only file system")) {
                return "the ledger in " + ledgerDir + " stopped taking writes (" + firstLine(t) + "): its disk is"
                        + " full or read-only; free space there, or give this command another ledger with --ledger"
                        + " DIR, and run it again to resume";
            }
        }
        return null;
    }

    /**
     * The line for a lease lost on the command line (exit 1, run again), where no other node can have taken it: the
     * ledger could not be written in time, or the process was paused; null for any other failure.
     */
    static String lostLease(Throwable failure, Path ledgerDir) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof dev.ferry.ledger.LostLeaseException) {
                return "the ledger in " + ledgerDir + " could not record the transfer's progress in time (its disk"
                        + " full or read-only, or this process paused for longer than a lease); run the command"
                        + " again to resume";
            }
        }
        return null;
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
