package dev.ferry.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** The ledger's tables, created or brought up to date when a ledger opens. */
final class LedgerSchema {
    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS ferry_transfer (
            id           VARCHAR(512) NOT NULL PRIMARY KEY,
            direction    VARCHAR(16)  NOT NULL,
            server       VARCHAR(255) NOT NULL,
            remote_path  VARCHAR      NOT NULL,
            local_path   VARCHAR      NOT NULL,
            status       VARCHAR(16)  NOT NULL,
            size_bytes   BIGINT       NOT NULL,
            source_mtime BIGINT       NOT NULL,
            request      VARCHAR,
            reason       VARCHAR,
            bytes_moved  BIGINT       NOT NULL,
            bytes_resent BIGINT       NOT NULL,
            created      TIMESTAMP    NOT NULL,
            updated      TIMESTAMP    NOT NULL)""",
        """
        CREATE TABLE IF NOT EXISTS ferry_segment (
            transfer_id VARCHAR(512) NOT NULL REFERENCES ferry_transfer (id) ON DELETE CASCADE,
            seg_index   INTEGER      NOT NULL,
            seg_start   BIGINT       NOT NULL,
            seg_end     BIGINT       NOT NULL,
            seg_offset  BIGINT       NOT NULL,
            done        BOOLEAN      NOT NULL,
            PRIMARY KEY (transfer_id, seg_index),
            CHECK (seg_start <= seg_offset AND seg_offset <= seg_end))""",
        "CREATE INDEX IF NOT EXISTS ferry_transfer_status ON ferry_transfer (status, created)",
        "CREATE INDEX IF NOT EXISTS ferry_transfer_updated ON ferry_transfer (updated)",
        // Leases (see Leases); added to ledgers made before them. lease_until is on the database's clock, with its
        // zone, so nodes whose JVMs run in different zones compare it alike.
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS owner VARCHAR(255)",
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS epoch BIGINT DEFAULT 0 NOT NULL",
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS lease_until TIMESTAMP WITH TIME ZONE",
        """
        CREATE TABLE IF NOT EXISTS ferry_node (
            node_id   VARCHAR(255) NOT NULL PRIMARY KEY,
            host      VARCHAR(255) NOT NULL,
            started   TIMESTAMP WITH TIME ZONE NOT NULL,
            heartbeat TIMESTAMP WITH TIME ZONE NOT NULL)""",
        // The process that wrote a node's heartbeat (Leases.requireNoLiveTwin), Leases.STOPPED once it stopped; null
        // from a version before the marks.
        "ALTER TABLE ferry_node ADD COLUMN IF NOT EXISTS process VARCHAR(64)",
        // ServerNotes; expires in epoch milliseconds.
        """
        CREATE TABLE IF NOT EXISTS ferry_server_note (
            server  VARCHAR(512) NOT NULL,
            kind    VARCHAR(64)  NOT NULL,
            note    VARCHAR      NOT NULL,
            expires BIGINT       NOT NULL,
            PRIMARY KEY (server, kind))""",
        // A tree download's parent (TreeListings): its listing is kept until the tree ends, so a restart resumes it
        // without listing the server again; listed says the walk finished, finished that the tree ended.
        """
        CREATE TABLE IF NOT EXISTS ferry_tree (
            id          VARCHAR(512) NOT NULL PRIMARY KEY,
            direction   VARCHAR(16)  NOT NULL,
            server      VARCHAR(255) NOT NULL,
            remote_root VARCHAR      NOT NULL,
            local_root  VARCHAR      NOT NULL,
            status      VARCHAR(16)  NOT NULL,
            listed      BOOLEAN      NOT NULL,
            entries     INTEGER      NOT NULL,
            files       INTEGER      NOT NULL,
            transferred INTEGER      NOT NULL,
            skipped     INTEGER      NOT NULL,
            failed      INTEGER      NOT NULL,
            refused     INTEGER      NOT NULL,
            bytes_moved BIGINT       NOT NULL,
            created     TIMESTAMP    NOT NULL,
            updated     TIMESTAMP    NOT NULL)""",
        // One row per listed file or refused entry, in listing order (seq), read back a page at a time.
        """
        CREATE TABLE IF NOT EXISTS ferry_tree_entry (
            tree_id    VARCHAR(512) NOT NULL REFERENCES ferry_tree (id) ON DELETE CASCADE,
            seq        INTEGER      NOT NULL,
            relative   VARCHAR      NOT NULL,
            size_bytes BIGINT       NOT NULL,
            mtime      BIGINT       NOT NULL,
            exact_time BOOLEAN      NOT NULL,
            refusal    VARCHAR,
            PRIMARY KEY (tree_id, seq))""",
        // One run of a tree at a time (TreeListings.begin): the row names its owner, an epoch raised by every claim
        // and a lease on the database's clock, as a transfer's row does; added to ledgers made before them.
        "ALTER TABLE ferry_tree ADD COLUMN IF NOT EXISTS owner VARCHAR(255)",
        "ALTER TABLE ferry_tree ADD COLUMN IF NOT EXISTS epoch BIGINT DEFAULT 0 NOT NULL",
        "ALTER TABLE ferry_tree ADD COLUMN IF NOT EXISTS lease_until TIMESTAMP WITH TIME ZONE",
        // The tree (ferry_tree's id) a file's transfer is part of, for the API's ?tree= filter; null for a lone file.
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS tree_id VARCHAR(512)",
        // Why a tree ended FAILED before any run held it (its order given up: login refused, no local folder).
        "ALTER TABLE ferry_tree ADD COLUMN IF NOT EXISTS reason VARCHAR(2000)",
        "CREATE INDEX IF NOT EXISTS ferry_transfer_tree ON ferry_transfer (tree_id)",
        // TransferRecord.sourceChangedAt (-1: unknown); NULL in rows made before it, read as -1.
        "ALTER TABLE ferry_transfer ADD COLUMN IF NOT EXISTS source_ctime BIGINT",
        // TreeOrders: a tree request from a queue or the API, kept from its acceptance until its tree has run.
        """
        CREATE TABLE IF NOT EXISTS ferry_tree_order (
            id      VARCHAR(512) NOT NULL PRIMARY KEY,
            request VARCHAR      NOT NULL,
            node    VARCHAR(255) NOT NULL,
            created TIMESTAMP    NOT NULL)""",
        // Election: who takes the shared inboxes (ferry.cluster.inbox = master), under a lease like a transfer's.
        """
        CREATE TABLE IF NOT EXISTS ferry_election (
            name        VARCHAR(255) NOT NULL PRIMARY KEY,
            owner       VARCHAR(255) NOT NULL,
            epoch       BIGINT       NOT NULL,
            lease_until TIMESTAMP WITH TIME ZONE NOT NULL)""",
        // Facts about the ledger itself: its instance (JdbcLedger.instance), made once, shared by every node on it.
        """
        CREATE TABLE IF NOT EXISTS ferry_meta (
            name  VARCHAR(255) NOT NULL PRIMARY KEY,
            meta_value VARCHAR(255) NOT NULL)""",
    };

    private static final Pattern ADD_COLUMN =
            Pattern.compile("ALTER TABLE (\\w+) ADD COLUMN IF NOT EXISTS (.+)", Pattern.DOTALL);

    private LedgerSchema() {
    }

    static void create(DataSource ds) {
        if (isCurrent(ds)) {
            // No DDL at all then: on PostgreSQL even "ADD COLUMN IF NOT EXISTS" takes the table's exclusive lock, and a
            // node (re)starting while others commit batches deadlocked with them (found by ClusterFaultTest).
            return;
        }
        try {
            if (isEmpty(ds)) {
                Sql.ddl(ds, forNewDatabase());
                if (isCurrent(ds)) {
                    return;
                }
                // Only a database some other program left half made gets here: the ALTERs below finish it.
            }
            // An existing ledger: only what it lacks. On PostgreSQL every ALTER, even one with IF NOT EXISTS that finds
            // its column, takes its table's exclusive lock while other nodes commit (the deadlock above).
            Sql.ddl(ds, LedgerSchema::missing, SCHEMA);
        } catch (SQLException e) {
            throw LedgerException.of("create schema", null, e);
        }
    }

    /**
     * {@link #SCHEMA} for a database without Ferry's tables: every column added later by an ALTER goes into its table's
     * CREATE instead. The same tables; the ALTERs (each of which copies its table in H2) were a third of a new
     * command-line ledger's creation, which a first run pays and every run of the start-up benchmark.
     */
    static String[] forNewDatabase() {
        List<String> out = new ArrayList<>();
        for (String statement : SCHEMA) {
            Matcher m = ADD_COLUMN.matcher(statement.strip());
            if (!m.matches()) {
                out.add(statement);
                continue;
            }
            String create = "CREATE TABLE IF NOT EXISTS " + m.group(1) + " (";
            int at = -1;
            for (int i = 0; i < out.size() && at < 0; i++) {
                if (out.get(i).strip().startsWith(create)) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new IllegalStateException("no CREATE TABLE " + m.group(1) + " before: " + statement);
            }
            String table = out.get(at).strip();
            // A column after the table's constraints is valid SQL (H2, PostgreSQL) and lands where the ALTER puts it:
            // last.
            out.set(at, table.substring(0, table.length() - 1) + ",\n    " + m.group(2) + ")");
        }
        return out.toArray(String[]::new);
    }

    private static final Pattern CREATE_TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+).*", Pattern.DOTALL);
    private static final Pattern CREATE_INDEX =
            Pattern.compile("CREATE INDEX IF NOT EXISTS \\w+ ON (\\w+).*", Pattern.DOTALL);

    /**
     * Which statements of {@link #SCHEMA} the database still needs, from one look at information_schema: a table or
     * column it lacks; an index when its table was made or grew a column in this pass (indexes came with columns).
     */
    private static java.util.function.Predicate<String> missing(Connection c) throws SQLException {
        java.util.Set<String> have = new java.util.HashSet<>();
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT table_name,"
                + " column_name FROM information_schema.columns WHERE table_schema = CURRENT_SCHEMA")) {
            while (rs.next()) {
                String table = rs.getString(1).toLowerCase(java.util.Locale.ROOT);
                have.add(table);
                have.add(table + "." + rs.getString(2).toLowerCase(java.util.Locale.ROOT));
            }
        }
        java.util.Set<String> changed = new java.util.HashSet<>();
        return statement -> {
            String s = statement.strip();
            Matcher m;
            if ((m = ADD_COLUMN.matcher(s)).matches()) {
                String column = m.group(2).strip().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
                return needs(have, changed, m.group(1).toLowerCase(java.util.Locale.ROOT), "." + column);
            }
            if ((m = CREATE_TABLE.matcher(s)).matches()) {
                return needs(have, changed, m.group(1).toLowerCase(java.util.Locale.ROOT), "");
            }
            if ((m = CREATE_INDEX.matcher(s)).matches()) {
                return changed.contains(m.group(1).toLowerCase(java.util.Locale.ROOT));
            }
            return true;
        };
    }

    private static boolean needs(java.util.Set<String> have, java.util.Set<String> changed, String table,
                                 String column) {
        if (have.contains(table + column)) {
            return false;
        }
        changed.add(table);
        return true;
    }

    /** Whether the database has none of Ferry's tables yet (the first of them is made first). */
    private static boolean isEmpty(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            try {
                st.executeQuery("SELECT id FROM ferry_transfer WHERE 1 = 0").close();
                return false;
            } catch (SQLException e) {
                return true;
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** Whether every table and column of {@link #SCHEMA} is there: its last additions can be read. */
    static boolean isCurrent(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeQuery("SELECT owner, epoch, lease_until FROM ferry_transfer WHERE 1 = 0").close();
            st.executeQuery("SELECT node_id, heartbeat, process FROM ferry_node WHERE 1 = 0").close();
            st.executeQuery("SELECT server, expires FROM ferry_server_note WHERE 1 = 0").close();
            st.executeQuery("SELECT id, listed, bytes_moved, owner, epoch, lease_until FROM ferry_tree WHERE 1 = 0").close();
            st.executeQuery("SELECT tree_id, seq, refusal FROM ferry_tree_entry WHERE 1 = 0").close();
            st.executeQuery("SELECT tree_id, source_ctime FROM ferry_transfer WHERE 1 = 0").close();
            st.executeQuery("SELECT id, request, node FROM ferry_tree_order WHERE 1 = 0").close();
            st.executeQuery("SELECT reason FROM ferry_tree WHERE 1 = 0").close();
            st.executeQuery("SELECT name, owner, epoch, lease_until FROM ferry_election WHERE 1 = 0").close();
            st.executeQuery("SELECT name, meta_value FROM ferry_meta WHERE 1 = 0").close();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
