package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.PostgresSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A review of a service run for a while: no finished transfer ever left the ledger (300 MB after 7,000 transfers,
 * growing for as long as it ran). Published transfers and DONE folder runs older than the retention period go now;
 * what may still be resumed or run again stays. On H2 and on PostgreSQL.
 */
class RetentionTest {
    private static final Instant NOW = Instant.now();
    private static final Instant OLD = NOW.minus(Duration.ofDays(40));
    private static final Instant CUTOFF = NOW.minus(Duration.ofDays(30));

    @TempDir
    Path tmp;

    @Test
    void onH2() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + tmp.resolve("ledger") + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        publishedAndDoneRowsPastTheCutoffGoTheRestStays(ds);
    }

    @Test
    void onPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_retention")) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(schema.url());
            ds.setUser("postgres");
            publishedAndDoneRowsPastTheCutoffGoTheRestStays(ds);
        }
    }

    private void publishedAndDoneRowsPastTheCutoffGoTheRestStays(DataSource ds) throws SQLException {
        LedgerSchema.create(ds);
        Sql.inNewTx(ds, c -> {
            tree(c, "t-done-old", TreeListings.DONE, OLD);
            tree(c, "t-done-new", TreeListings.DONE, NOW);
            tree(c, "t-failed-old", TreeListings.FAILED, OLD);
            tree(c, "t-running", TreeListings.RUNNING, OLD);
            transfer(c, "published-old", TransferStatus.PUBLISHED, OLD, null);
            transfer(c, "published-new", TransferStatus.PUBLISHED, NOW, null);
            transfer(c, "failed-old", TransferStatus.FAILED, OLD, null);
            transfer(c, "cancelled-old", TransferStatus.CANCELLED, OLD, null);
            transfer(c, "active-old", TransferStatus.ACTIVE, OLD, null);
            transfer(c, "file-of-done-tree", TransferStatus.PUBLISHED, OLD, "t-done-old");
            transfer(c, "file-of-running-tree", TransferStatus.PUBLISHED, OLD, "t-running");
            return null;
        });
        // More than a batch of old published transfers: every batch goes.
        Sql.inNewTx(ds, c -> {
            for (int i = 0; i < Retention.BATCH + 7; i++) {
                transfer(c, "bulk-" + i, TransferStatus.PUBLISHED, OLD, null);
            }
            return null;
        });

        int gone = new Retention(ds).prune(CUTOFF);

        assertEquals(Retention.BATCH + 7 + 2 + 1, gone, "the bulk, published-old, file-of-done-tree, t-done-old");
        assertEquals(List.of("active-old", "cancelled-old", "failed-old", "file-of-running-tree", "published-new"),
                ids(ds, "SELECT id FROM ferry_transfer ORDER BY id"));
        assertEquals(List.of("t-done-new", "t-failed-old", "t-running"), ids(ds, "SELECT id FROM ferry_tree ORDER BY id"));
        assertEquals(List.of("active-old", "cancelled-old", "failed-old", "file-of-running-tree", "published-new"),
                ids(ds, "SELECT DISTINCT transfer_id FROM ferry_segment ORDER BY transfer_id"), "segments go along");
        assertEquals(List.of("t-done-new", "t-failed-old", "t-running"),
                ids(ds, "SELECT DISTINCT tree_id FROM ferry_tree_entry ORDER BY tree_id"), "listings go along");
        assertEquals(0, new Retention(ds).prune(CUTOFF), "nothing left to prune");
    }

    private static void transfer(Connection c, String id, TransferStatus status, Instant updated, String tree)
            throws SQLException {
        Sql.update(c, "INSERT INTO ferry_transfer (id, direction, server, remote_path, local_path, status, size_bytes,"
                + " source_mtime, bytes_moved, bytes_resent, created, updated, tree_id) VALUES (?, 'DOWNLOAD', 's',"
                + " ?, ?, ?, 10, 0, 10, 0, ?, ?, ?)", id, "/r/" + id, "/l/" + id, status, updated, updated, tree);
        Sql.update(c, "INSERT INTO ferry_segment (transfer_id, seg_index, seg_start, seg_end, seg_offset, done)"
                + " VALUES (?, 0, 0, 10, 10, TRUE)", id);
    }

    private static void tree(Connection c, String id, String status, Instant updated) throws SQLException {
        Sql.update(c, "INSERT INTO ferry_tree (id, direction, server, remote_root, local_root, status, listed, entries,"
                + " files, transferred, skipped, failed, refused, bytes_moved, created, updated) VALUES (?, 'DOWNLOAD',"
                + " 's', ?, ?, ?, TRUE, 1, 1, 1, 0, 0, 0, 10, ?, ?)", id, "/r/" + id + "/", "/l/" + id, status, updated,
                updated);
        Sql.update(c, "INSERT INTO ferry_tree_entry (tree_id, seq, relative, size_bytes, mtime, exact_time) VALUES"
                + " (?, 0, 'a.bin', 10, 0, TRUE)", id);
    }

    private static List<String> ids(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
