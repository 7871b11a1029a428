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
            PGSimpleDataSource pg = ledgerWithoutTreeReason(schema);
            List<String> ran = new CopyOnWriteArrayList<>();
            LedgerSchema.create(recording(pg, ran));
            List<String> ddl = ran.stream().filter(s -> !s.startsWith("SELECT") && !s.startsWith("SET LOCAL"))
                    .toList();
            assertEquals(List.of("ALTER TABLE ferry_tree ADD COLUMN IF NOT EXISTS reason VARCHAR(2000)"), ddl);
            assertTrue(LedgerSchema.isCurrent(pg));
        }
    }

    /**
     * A rolling upgrade: the new node's ALTER needs its table's exclusive lock, and a running node's transaction holds
     * the table. While an ALTER waits, every other session's use of the table queues behind it, so an ALTER that waited
     * as long as that transaction stalled every node for as long. It waits a moment, lets the others through, and tries
     * again; once the table is free it is made.
     */
    @Test
    void aSchemaChangeWaitingForABusyTableDoesNotStallTheNodesThatUseIt() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_upgrade_busy")) {
            PGSimpleDataSource pg = ledgerWithoutTreeReason(schema);
            try (Connection holder = schema.connect(); Statement held = holder.createStatement();
                 Connection other = schema.connect(); Statement st = other.createStatement()) {
                holder.setAutoCommit(false);
                held.executeQuery("SELECT count(*) FROM " + schema.name() + ".ferry_tree").close();
                java.util.concurrent.CompletableFuture<Void> upgrade = java.util.concurrent.CompletableFuture.runAsync(
                        () -> {
                            try {
                                LedgerSchema.create(pg);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                awaitWaitingAlter(st);
                // Another node's read of the table while the ALTER waits: before, it queued until the holder ended.
                st.execute("SET statement_timeout = '10s'");
                st.executeQuery("SELECT count(*) FROM " + schema.name() + ".ferry_tree").close();
                assertTrue(!upgrade.isDone(), "the ALTER ran while the table was held");
                holder.commit();
                upgrade.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(LedgerSchema.isCurrent(pg));
        }
    }

    /** A ledger of the previous version in {@code schema}: its ferry_tree lacks the reason column. */
    private static PGSimpleDataSource ledgerWithoutTreeReason(PostgresSchema schema) throws Exception {
        try (JdbcLedger made = JdbcLedger.open(schema.url(), "postgres", "")) {
            made.treeListings();
        }
        try (Connection c = schema.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + schema.name() + ".ferry_tree DROP COLUMN reason");
        }
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(schema.url());
        pg.setUser("postgres");
        return pg;
    }

    /** Until an ALTER TABLE waits for a lock (pg_stat_activity), or 20 s. */
    private static void awaitWaitingAlter(Statement st) throws Exception {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type"
                    + " = 'Lock' AND query LIKE 'ALTER TABLE%'")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no ALTER TABLE waited for the held table");
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
