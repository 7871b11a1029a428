package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.JdbcLedger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's notes and the one-file ledger's life: nothing reaches the ledger after the run closed it. */
class RememberedProbesTest {
    @TempDir
    Path dir;

    /**
     * A background login that asks after the run closed its ledger (a run that ended before the login did) gets no
     * answer, rather than opening the ledger's database again behind the closed ledger, where the next run in the
     * same JVM found its file locked.
     */
    @Test
    void aLateLoginDoesNotReopenTheClosedLedger() {
        ServerProfile profile = ServerProfile.builder("p").host("127.0.0.1").port(21).user("u").build();
        Capabilities caps = new Capabilities(true, true, true, false, true, false, Set.of("SHA-256"), Set.of(), true,
                false, true, false);
        RememberedProbes probes = new RememberedProbes(Clock.systemUTC());
        JdbcLedger ledger = JdbcLedger.h2ForOneFile(dir);
        probes.attach(ledger.serverNotes());
        probes.remember(profile, caps);
        assertEquals(caps, probes.recall(profile));

        probes.detach();
        ledger.close();
        assertNull(probes.recall(profile), "after the close, no statement (which would open the database again)");
        probes.remember(profile, caps);

        // The file is free: the next run opens it, and the note written before the close is there.
        JdbcLedger next = JdbcLedger.h2ForOneFile(dir);
        try {
            RememberedProbes again = new RememberedProbes(Clock.systemUTC());
            again.attach(next.serverNotes());
            assertNotNull(again.recall(profile));
        } finally {
            next.close();
        }
    }
}
