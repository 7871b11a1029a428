package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.PostgresSchema;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nodes of a cluster starting together on an empty PostgreSQL schema all start: CREATE ... IF NOT EXISTS races there
 * (the loser fails on pg_type's unique index), and a retry-once was not enough for three (a CI run of
 * ClusterFaultTest lost a node to it).
 */
class SchemaRaceTest {
    private static final int NODES = 8;

    @Test
    void nodesStartingTogetherOnAnEmptySchemaAllStart() throws Exception {
        for (int round = 0; round < 3; round++) {
            try (PostgresSchema schema = PostgresSchema.create("ferry_race")) {
                ExecutorService pool = Executors.newFixedThreadPool(NODES);
                CyclicBarrier together = new CyclicBarrier(NODES);
                List<Future<String>> starts = new ArrayList<>();
                for (int i = 0; i < NODES; i++) {
                    starts.add(pool.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        try (JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "")) {
                            ConnectionSlots.on(ledger).close();
                            return "started";
                        } catch (RuntimeException e) {
                            return "failed: " + e.getMessage();
                        }
                    }));
                }
                List<String> outcomes = new ArrayList<>();
                for (Future<String> start : starts) {
                    outcomes.add(start.get(60, TimeUnit.SECONDS));
                }
                pool.shutdownNow();
                assertEquals(List.of(outcomes.stream().map(o -> "started").toArray()), outcomes,
                        "round " + round + ": every node starts");
                try (var c = schema.connect(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables"
                             + " WHERE table_schema = '" + schema.name() + "' AND table_name LIKE 'ferry_%'")) {
                    rs.next();
                    assertEquals(11, rs.getInt(1), "ferry's eleven tables (ferry_meta the last), once each");
                }
            }
        }
    }
}
