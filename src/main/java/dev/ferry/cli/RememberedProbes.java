package dev.ferry.cli;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.CapabilityMemory;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ledger.ServerNotes;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * The upload probe's answers in the command line's ledger, so that a run after another on the same server does not
 * probe it again. Kept for {@link #KEPT}: a server changed since (reconfigured, replaced) is probed again after that,
 * and at once after an upload to it failed ({@link #forget}).
 */
final class RememberedProbes implements CapabilityMemory {
    static final Duration KEPT = Duration.ofHours(1);
    private static final String KIND = "upload-capabilities";
    /** The format of a note; a note in another (an older Ferry's) is not read. */
    private static final String VERSION = "1";

    private final Clock clock;
    /**
     * Null until the ledger is open (the probe is made before it, for the login running beside the opening) and again
     * once it closes ({@link #detach}): a login still under way must not open the closed ledger again.
     */
    private ServerNotes notes;

    RememberedProbes(Clock clock) {
        this.clock = clock;
    }

    synchronized void attach(ServerNotes ledgerNotes) {
        this.notes = ledgerNotes;
    }

    /**
     * Before the ledger closes: waits for a read or write under way and keeps later ones out. A ledger without a pool
     * opens its database again for any statement after its close, and a background login (the one started beside the
     * ledger's opening) may still ask after a run that ended early: that reopened the file behind the closed ledger,
     * and the next run in the same JVM found it locked ("Database may be already in use", CliFileExistTest).
     */
    synchronized void detach() {
        this.notes = null;
    }

    /** A note is a saving, never a reason to fail: a ledger that cannot read or write it means probing as before. */
    @Override
    public synchronized Capabilities recall(ServerProfile profile) {
        ServerNotes n = notes;
        try {
            return n == null ? null : n.read(server(profile), KIND, clock.instant()).map(RememberedProbes::decode)
                    .orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void remember(ServerProfile profile, Capabilities c) {
        write(profile, encode(c), KEPT);
    }

    void forget(ServerProfile profile) {
        write(profile, "", Duration.ZERO);
    }

    private synchronized void write(ServerProfile profile, String note, Duration kept) {
        ServerNotes n = notes;
        try {
            if (n != null) {
                n.write(server(profile), KIND, note, clock.instant().plus(kept));
            }
        } catch (RuntimeException e) {
            // Probed again next time.
        }
    }

    /** The server as the note names it: no password (nor a hash of one) goes into the ledger. */
    static String server(ServerProfile p) {
        return (p.tls() == TlsMode.EXPLICIT ? "ftps://" : "ftp://") + p.user() + "@" + p.host() + ":" + p.port();
    }

    static String encode(Capabilities c) {
        boolean[] flags = {c.utf8(), c.size(), c.mdtm(), c.mlst(), c.restStream(), c.rang(), c.storeRestart(),
            c.storeInPlace(), c.append(), c.rangeHash()};
        StringBuilder b = new StringBuilder(VERSION).append(';');
        for (boolean f : flags) {
            b.append(f ? '1' : '0');
        }
        return b.append(';').append(String.join(",", new TreeSet<>(c.hashes()))).append(';')
                .append(String.join(",", new TreeSet<>(c.xHashes()))).toString();
    }

    /** The capabilities a note holds, or null for a note this version cannot read. */
    static Capabilities decode(String note) {
        String[] f = note.split(";", -1);
        if (f.length != 4 || !f[0].equals(VERSION) || f[1].length() != 10 || !f[1].matches("[01]+")) {
            return null;
        }
        boolean[] b = new boolean[10];
        for (int i = 0; i < 10; i++) {
            b[i] = f[1].charAt(i) == '1';
        }
        return new Capabilities(b[0], b[1], b[2], b[3], b[4], b[5], set(f[2]), set(f[3]), b[6], b[7], b[8], b[9]);
    }

    private static Set<String> set(String list) {
        return list.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(list.split(",")));
    }
}
