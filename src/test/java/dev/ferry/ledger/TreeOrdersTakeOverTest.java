package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.Direction;
import dev.ferry.testing.PostgresSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tree orders ({@code ferry_tree_order}) of a node that stopped for good: another node takes them over once that
 * node's heartbeat is older than a lease, as it takes over transfer rows; two nodes taking over at once never take one
 * order, and an order a live node holds (or whose tree runs under a live lease) stays where it is.
 */
class TreeOrdersTakeOverTest {
    private static final int ORDERS = 40;

    @TempDir
    Path tmp;

    @Test
    void aDeadNodesOrdersAreTakenOverOnceEvenByTwoNodesAtOnceOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_order");
             JdbcLedger a = node(schema, "node-a");
             JdbcLedger b = node(schema, "node-b");
             JdbcLedger c = node(schema, "node-c");
             JdbcLedger d = node(schema, "node-d")) {
            for (int i = 0; i < ORDERS; i++) {
                a.treeOrders().put(tree(i), "{\"remotePath\":\"/t" + i + "/\"}", "node-a");
            }
            // A tree of node-a's whose run node-d holds under a live lease: node-d answers for it, whoever ordered it.
            d.treeListings().begin(tree(0), Direction.DOWNLOAD, "s", "/t0", "/l/t0", false);
            for (JdbcLedger node : List.of(a, b, c, d)) {
                assertTrue(node.leases().renew(), "heartbeat");
            }
            assertEquals(List.of(), b.treeOrders().takeOver(), "node-a's heartbeat is live");

            // node-a stops renewing: its heartbeat grows older than a lease (30 s) while the others' stay live.
            try (Connection sql = schema.connect(); Statement st = sql.createStatement()) {
                st.execute("UPDATE ferry_node SET heartbeat = CURRENT_TIMESTAMP - INTERVAL '1' HOUR"
                        + " WHERE node_id = 'node-a'");
            }
            CyclicBarrier together = new CyclicBarrier(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<String> byB;
            List<String> byC;
            try {
                Future<List<String>> fb = threads.submit(takeOver(b, together));
                Future<List<String>> fc = threads.submit(takeOver(c, together));
                byB = fb.get();
                byC = fc.get();
            } finally {
                threads.shutdownNow();
            }
            Set<String> both = new HashSet<>(byB);
            both.retainAll(byC);
            assertEquals(Set.of(), both, "an order taken by both nodes");
            Set<String> all = new HashSet<>(byB);
            all.addAll(byC);
            Set<String> expected = new HashSet<>();
            for (int i = 1; i < ORDERS; i++) {
                expected.add(tree(i));
            }
            assertEquals(expected, all, "every order of node-a's but the one whose tree node-d runs");

            // Each order now names its taker, whose heartbeat is live: nobody takes it again, node-a has none left.
            assertEquals(List.of(), b.treeOrders().takeOver());
            assertEquals(List.of(), c.treeOrders().takeOver());
            assertEquals(Set.copyOf(byB), ids(b.treeOrders().pending("node-b")));
            assertEquals(Set.copyOf(byC), ids(c.treeOrders().pending("node-c")));
            assertEquals(Set.of(tree(0)), ids(a.treeOrders().pending("node-a")));
            assertEquals(Set.of(tree(0)), d.treeListings().runningNow());
            assertEquals("{\"remotePath\":\"/t1/\"}", all.contains(tree(1)) ? b.treeOrders().get(tree(1)).request()
                    : null, "the order's request travels with it");

            // Once node-d's run of tree 0 lapses too (no renewal), its order goes to a live node as well.
            try (Connection sql = schema.connect(); Statement st = sql.createStatement()) {
                st.execute("UPDATE ferry_tree SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");
            }
            assertEquals(List.of(tree(0)), b.treeOrders().takeOver().stream().map(TreeOrders.Order::treeId).toList());
        }
    }

    @Test
    void onH2AnOrderOfAnEarlierNodeIdIsTakenAndTheNodesOwnAreNot() throws Exception {
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"))) {
            ledger.leases().configure("node-new", 3);
            assertTrue(ledger.leases().renew());
            ledger.treeOrders().put("mine", "{}", "node-new");
            ledger.treeOrders().put("old", "{}", "node-old");
            ledger.treeOrders().put("never", "{}", "node-never");
            assertEquals(List.of(), ledger.treeOrders().takeOver(), "node-old has no heartbeat yet");
            // The host was renamed, say: the node under its old id wrote heartbeats, the last of them long ago.
            try (Connection c = ledger.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO ferry_node (node_id, host, started, heartbeat)"
                         + " VALUES ('node-old', 'h', CURRENT_TIMESTAMP - INTERVAL '1' HOUR,"
                         + " CURRENT_TIMESTAMP - INTERVAL '1' HOUR)")) {
                ps.executeUpdate();
            }
            assertEquals(List.of("old"), ledger.treeOrders().takeOver().stream().map(TreeOrders.Order::treeId)
                    .toList());
            assertEquals(Set.of("mine", "old"), ids(ledger.treeOrders().pending("node-new")));
            assertEquals(Set.of("mine", "old", "never"), ledger.treeOrders().treeIds());
        }
    }

    private static JdbcLedger node(PostgresSchema schema, String id) {
        JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "");
        ledger.leases().configure(id, 30);
        return ledger;
    }

    private static Callable<List<String>> takeOver(JdbcLedger node, CyclicBarrier together) {
        return () -> {
            together.await();
            List<String> ids = new ArrayList<>();
            node.treeOrders().takeOver().forEach(o -> ids.add(o.treeId()));
            return ids;
        };
    }

    private static String tree(int i) {
        return String.format("tree-%02d", i);
    }

    private static Set<String> ids(List<TreeOrders.Order> orders) {
        Set<String> ids = new HashSet<>();
        orders.forEach(o -> ids.add(o.treeId()));
        return ids;
    }
}
