package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.PostgresSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A new ledger gets its tables from {@link LedgerSchema#forNewDatabase} (no ALTERs); they must be exactly the tables an
 * older ledger reaches through the ALTERs of {@link LedgerSchema#create}'s upgrade path, on H2 and on PostgreSQL.
 */
class LedgerSchemaNewDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void aNewDatabaseIsMadeWithoutAlters() {
        String[] fresh = LedgerSchema.forNewDatabase();
        assertTrue(Arrays.stream(fresh).noneMatch(s -> s.strip().startsWith("ALTER")), String.join("\n", fresh));
    }

    @Test
    void h2TablesAreTheSameAsTheUpgradedOnes() throws SQLException {
        DataSource created = h2("created");
        LedgerSchema.create(created);
        DataSource upgraded = h2("upgraded");
        Sql.ddl(upgraded, schemaStatements());
        assertSameTables(created, upgraded, "PUBLIC");
    }

    @Test
    void postgresTablesAreTheSameAsTheUpgradedOnes() throws SQLException {
        try (PostgresSchema a = PostgresSchema.create("ferry_new"); PostgresSchema b = PostgresSchema.create("ferry_upg")) {
            DataSource created = pg(a);
            LedgerSchema.create(created);
            DataSource upgraded = pg(b);
            Sql.ddl(upgraded, schemaStatements());
            assertEquals(columns(upgraded, b.name()), columns(created, a.name()));
            assertEquals(constraints(upgraded, b.name()), constraints(created, a.name()));
        }
    }

    /** The upgrade path's statements as they stand, ALTERs and all (what every older ledger went through). */
    private static String[] schemaStatements() {
        try {
            java.lang.reflect.Field f = LedgerSchema.class.getDeclaredField("SCHEMA");
            f.setAccessible(true);
            String[] schema = (String[]) f.get(null);
            assertTrue(Arrays.stream(schema).anyMatch(s -> s.strip().startsWith("ALTER")), "the upgrade path has ALTERs");
            return schema;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertSameTables(DataSource created, DataSource upgraded, String schema) throws SQLException {
        List<String> cols = columns(upgraded, schema);
        assertFalse(cols.isEmpty());
        assertEquals(cols, columns(created, schema));
        assertEquals(constraints(upgraded, schema), constraints(created, schema));
        assertTrue(LedgerSchema.isCurrent(created));
    }

    private DataSource h2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve(name).resolve("ledger") + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        return ds;
    }

    private static DataSource pg(PostgresSchema schema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(schema.url());
        ds.setUser("postgres");
        return ds;
    }

    private static List<String> columns(DataSource ds, String schema) throws SQLException {
        return rows(ds, "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default,"
                + " character_maximum_length FROM information_schema.columns WHERE UPPER(table_schema) = UPPER('"
                + schema + "') AND UPPER(table_name) LIKE 'FERRY%' ORDER BY table_name, ordinal_position");
    }

    /** Each table's keys, checks and references by kind and columns (their generated names differ). */
    private static List<String> constraints(DataSource ds, String schema) throws SQLException {
        List<String> out = rows(ds, "SELECT tc.table_name, tc.constraint_type, k.column_name, k.ordinal_position"
                + " FROM information_schema.table_constraints tc LEFT JOIN information_schema.key_column_usage k"
                + " ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name"
                + " WHERE UPPER(tc.table_schema) = UPPER('" + schema + "') AND UPPER(tc.table_name) LIKE 'FERRY%'");
        out.sort(null);
        return out;
    }

    private static List<String> rows(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(rs.getString(i)).append(" | ");
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
