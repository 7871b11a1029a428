package dev.ferry.ledger;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * What was learnt about a server, kept across runs until it expires: the command line is a new process each time, and
 * asking a server again what it answered a minute ago (the upload probe: a dozen commands and six data connections)
 * would cost every run. Named by server without its password; a note is text its writer encodes and decodes.
 */
public final class ServerNotes {
    private final JdbcLedger ledger;

    ServerNotes(JdbcLedger ledger) {
        this.ledger = ledger;
    }

    /** The note, unless there is none or it expired at or before {@code now}. */
    public Optional<String> read(String server, String kind, Instant now) {
        try {
            return Optional.ofNullable(Sql.inNewTx(ledger.dataSource(), c -> Sql.queryOne(c,
                    "SELECT note FROM ferry_server_note WHERE server = ? AND kind = ? AND expires > ?",
                    rs -> rs.getString(1), server, kind, now.toEpochMilli())));
        } catch (SQLException e) {
            throw new LedgerException("ledger: reading the " + kind + " of " + server + " failed: " + e.getMessage(), e);
        }
    }

    /** Replaces the note, to be used until {@code expires}. */
    public void write(String server, String kind, String note, Instant expires) {
        try {
            Sql.inNewTx(ledger.dataSource(), c -> {
                Sql.update(c, "DELETE FROM ferry_server_note WHERE server = ? AND kind = ?", server, kind);
                return Sql.update(c, "INSERT INTO ferry_server_note (server, kind, note, expires) VALUES (?, ?, ?, ?)",
                        server, kind, note, expires.toEpochMilli());
            });
        } catch (SQLException e) {
            if (!Sql.duplicate(e)) {
                throw new LedgerException("ledger: recording the " + kind + " of " + server + " failed: " + e.getMessage(),
                        e);
            }
            // Another process wrote the same server's note at the same moment: its answer is as good as ours.
        }
    }
}
