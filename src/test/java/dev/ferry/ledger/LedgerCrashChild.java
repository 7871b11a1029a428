package dev.ferry.ledger;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a separate JVM by {@link JdbcLedgerH2Test}, with the ledger open the whole time: opens it and says
 * {@value #OPEN}; on a line from stdin, commits a checkpoint of {@value #OFFSET} and says {@value #COMMITTED};
 * then waits to be killed, as a crashing Ferry would leave the database.
 */
public final class LedgerCrashChild {

    static final String OPEN = "LEDGER OPEN";
    static final String COMMITTED = "CHECKPOINT COMMITTED";
    static final long OFFSET = 777;
    /** The second argument: the ledger as the service opens it, or as a one-file command does. */
    static final String SERVICE = "service";
    static final String ONE_FILE = "one-file";

    public static void main(String[] args) throws Exception {
        JdbcLedger ledger = args.length > 1 && args[1].equals(ONE_FILE) ? JdbcLedger.h2ForOneFile(Path.of(args[0]))
                : JdbcLedger.h2(Path.of(args[0]));
        ledger.accept(JdbcLedgerContract.transfer("crash"));
        ledger.start("crash", 1000, 1L,
                List.of(JdbcLedgerContract.seg(0, 0, 500), JdbcLedgerContract.seg(1, 500, 1000)));
        System.out.println(OPEN);
        System.out.flush();

        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        ledger.checkpoint("crash", 1, OFFSET);
        System.out.println(COMMITTED);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
