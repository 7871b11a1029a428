package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.PostgresSchema;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** A PostgreSQL ledger of the previous version, lacking one column, gets that one ALTER and no other DDL. */
class LedgerSchemaUpgradeTest {
    @Test
    void onlyTheMissingColumnIsAddedOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_upgrade")) {
            try (JdbcLedger made = JdbcLedger.open(schema.url(), "postgres", "")) {
                made.treeListings();
            }
            try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + schema.name() + ".ferry_tree DROP COLUMN reason");
            }
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(schema.url());
            pg.setUser("postgres");
            List<String> ran = new CopyOnWriteArrayList<>();
            LedgerSchema.create(recording(pg, ran));
            List<String> ddl = ran.stream().filter(s -> !s.startsWith("SELECT")).toList();
            assertEquals(List.of("ALTER TABLE ferry_tree ADD COLUMN IF NOT EXISTS reason VARCHAR(2000)"), ddl);
            assertTrue(LedgerSchema.isCurrent(pg));
        }
    }

    /** Every statement text run through {@code Statement.execute}. */
    private static DataSource recording(DataSource inner, List<String> ran) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, args) -> {
                    Object r = call(m, inner, args);
                    if (!(r instanceof Connection c)) {
                        return r;
                    }
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (pc, mc, ac) -> {
                                Object rc = call(mc, c, ac);
                                if (!(rc instanceof Statement s) || rc instanceof java.sql.PreparedStatement) {
                                    return rc;
                                }
                                return Proxy.newProxyInstance(Statement.class.getClassLoader(),
                                        new Class<?>[] {Statement.class}, (ps, ms, as) -> {
                                            if (ms.getName().equals("execute") && as != null && as.length == 1) {
                                                ran.add(((String) as[0]).strip());
                                            }
                                            return call(ms, s, as);
                                        });
                            });
                });
    }

    private static Object call(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
