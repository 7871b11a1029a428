package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL ledger (a schema of its own per test): claims, leases and fencing. Skipped without
 * PostgreSQL at 127.0.0.1:5432 (database test, user postgres), a failure with {@code FERRY_REQUIRE_POSTGRES=1}.
 */
class LeasesPostgresTest {
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";

    private final String schema = "ferry_lease_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final List<JdbcLedger> open = new ArrayList<>();

    @BeforeEach
    void createSchema() {
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=5", USER, "");
             Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String problem = "PostgreSQL is not reachable at " + SERVER + ": " + e.getMessage();
            if ("1".equals(System.getenv("FERRY_REQUIRE_POSTGRES"))) {
                fail(problem + " (FERRY_REQUIRE_POSTGRES=1 requires it)");
            }
            Assumptions.abort(problem);
        }
    }

    @AfterEach
    void dropSchema() throws SQLException {
        open.forEach(JdbcLedger::close);
        try (Connection c = DriverManager.getConnection(SERVER, USER, ""); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private JdbcLedger node(String id) {
        JdbcLedger ledger = JdbcLedger.open(SERVER + "?connectTimeout=5&currentSchema=" + schema, USER, "");
        ledger.leases().configure(id, 3);
        open.add(ledger);
        return ledger;
    }

    /** What a lease running out looks like, without waiting for it. */
    private void expireLeases() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "?currentSchema=" + schema, USER, "");
             Statement st = c.createStatement()) {
            st.execute("UPDATE ferry_transfer SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");
        }
    }

    private static List<String> ids(List<Claim> claims) {
        return claims.stream().map(Claim::transferId).toList();
    }

    @Test
    void aLiveLeaseIsNotTakenButARestartedNodeTakesItsOwnRowsBackAtOnce() {
        JdbcLedger a = node("node-a");
        JdbcLedger b = node("node-b");
        a.accept(JdbcLedgerContract.transfer("t1"));
        a.start("t1", 1000, 1L, List.of(JdbcLedgerContract.seg(0, 0, 1000)));

        assertEquals(List.of(), ids(b.leases().claimUnfinished(id -> false)), "node-a's lease is live");
        assertTrue(b.leases().claim("t1").isEmpty(), "resume on node-b while node-a's lease is live");

        JdbcLedger aAgain = node("node-a");
        List<Claim> back = aAgain.leases().claimUnfinished(id -> false);
        assertEquals(List.of(new Claim("t1", "node-a", 2)), back);
        aAgain.checkpoint("t1", 0, 300);
        assertEquals(300, aAgain.segments("t1").get(0).offset());
    }

    @Test
    void aWriteWithAStaleEpochIsRefusedCountedAndNeverLands() throws SQLException {
        JdbcLedger a = node("node-a");
        JdbcLedger b = node("node-b");
        // Shared storage: node-b continues from node-a's offsets, which node-a's late writes must not move.
        b.leases().sharedStorage(true);
        a.accept(JdbcLedgerContract.transfer("t1"));
        a.start("t1", 1000, 1L, List.of(JdbcLedgerContract.seg(0, 0, 500), JdbcLedgerContract.seg(1, 500, 1000)));
        a.checkpoint("t1", 0, 100);

        expireLeases();
        assertEquals(List.of(new Claim("t1", "node-b", 2)), b.leases().claimUnfinished(id -> false));
        b.checkpoint("t1", 0, 150);

        assertThrows(LostLeaseException.class, () -> a.checkpoint("t1", 0, 400));
        assertThrows(LostLeaseException.class, () -> a.status("t1", TransferStatus.FAILED, "vanished part file"));
        assertThrows(LostLeaseException.class, () -> a.segmentDone("t1", 1));
        assertThrows(LostLeaseException.class, () -> a.published("t1", 1000, 0));
        assertThrows(LostLeaseException.class, () -> a.confirmClaim("t1"));
        assertEquals(5, a.leases().fencedOff());
        assertEquals(0, b.leases().fencedOff());

        TransferRecord row = b.find("t1").orElseThrow();
        assertEquals(TransferStatus.ACTIVE, row.status());
        assertEquals(List.of(new SegmentRecord(0, 0, 500, 150, false), new SegmentRecord(1, 500, 1000, 500, false)),
                b.segments("t1"));
        b.published("t1", 1000, 0);
        assertEquals(TransferStatus.PUBLISHED, b.find("t1").orElseThrow().status());
    }

    @Test
    void twoClaimersAtOnceNeverGetTheSameRow() throws Exception {
        JdbcLedger dead = node("node-dead");
        for (int i = 0; i < 300; i++) {
            dead.accept(JdbcLedgerContract.transfer(String.format("t%03d", i)));
        }
        expireLeases();
        JdbcLedger a = node("node-a");
        JdbcLedger b = node("node-b");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Callable<List<String>> claimA = () -> {
                together.await();
                return ids(a.leases().claimUnfinished(id -> false));
            };
            Callable<List<String>> claimB = () -> {
                together.await();
                return ids(b.leases().claimUnfinished(id -> false));
            };
            Future<List<String>> fa = threads.submit(claimA);
            Future<List<String>> fb = threads.submit(claimB);
            List<String> takenA = fa.get();
            List<String> takenB = fb.get();
            Set<String> both = new HashSet<>(takenA);
            both.retainAll(takenB);
            assertEquals(Set.of(), both, "claimed by both nodes");
            assertEquals(300, takenA.size() + takenB.size(), "a: " + takenA.size() + ", b: " + takenB.size());
            for (String id : takenA) {
                a.status(id, TransferStatus.CANCELLED, "test");
            }
            for (String id : takenB) {
                b.status(id, TransferStatus.CANCELLED, "test");
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, a.leases().fencedOff() + b.leases().fencedOff());
    }

    private static TransferRecord upload(String id) {
        return TransferRecord.accepted(id, dev.ferry.plan.Direction.UPLOAD, "ftp.example.org", "/in/" + id + ".iso",
                "/data/inbox/" + id + ".iso", "{\"request\":1}");
    }

    /** Without shared storage the offsets describe node-a's part file, which node-b must never complete. */
    @Test
    void aDownloadTakenOverWithoutSharedStorageStartsOverButItsOwnNodeResumesIt() throws SQLException {
        JdbcLedger a = node("node-a");
        a.accept(JdbcLedgerContract.transfer("t1"));
        a.start("t1", 1000, 1L, List.of(JdbcLedgerContract.seg(0, 0, 500), JdbcLedgerContract.seg(1, 500, 1000)));
        a.checkpoint("t1", 0, 300);
        a.segmentDone("t1", 1);

        JdbcLedger aAgain = node("node-a");
        assertEquals(List.of("t1"), ids(aAgain.leases().claimUnfinished(id -> false)));
        assertEquals(List.of(new SegmentRecord(0, 0, 500, 300, false), new SegmentRecord(1, 500, 1000, 1000, true)),
                aAgain.segments("t1"), "its own node resumes from its own part file");

        expireLeases();
        JdbcLedger b = node("node-b");
        assertEquals(List.of("t1"), ids(b.leases().claimUnfinished(id -> false)));
        assertEquals(List.of(), b.segments("t1"), "node-b must plan afresh, on its own disk");
        assertEquals(TransferStatus.ACTIVE, b.find("t1").orElseThrow().status());
    }

    @Test
    void withSharedStorageATakenOverDownloadKeepsItsOffsetsAndAnUploadIsTakenToo() throws SQLException {
        JdbcLedger a = node("node-a");
        a.accept(JdbcLedgerContract.transfer("t1"));
        a.start("t1", 1000, 1L, List.of(JdbcLedgerContract.seg(0, 0, 1000)));
        a.checkpoint("t1", 0, 300);
        a.accept(upload("u1"));
        expireLeases();

        JdbcLedger b = node("node-b");
        b.leases().sharedStorage(true);
        assertEquals(List.of("t1", "u1"), ids(b.leases().claimUnfinished(id -> false)));
        assertEquals(List.of(new SegmentRecord(0, 0, 1000, 300, false)), b.segments("t1"));
    }

    @Test
    void withoutSharedStorageAnotherNodesUploadIsNeverTakenButItsOwnNodeTakesItBack() throws SQLException {
        JdbcLedger a = node("node-a");
        a.accept(upload("u1"));
        expireLeases();

        JdbcLedger b = node("node-b");
        assertEquals(List.of(), ids(b.leases().claimUnfinished(id -> false)), "the source file is on node-a's disk");
        assertTrue(b.leases().claim("u1").isEmpty(), "resume on node-b");
        JdbcLedger aAgain = node("node-a");
        assertEquals(List.of(new Claim("u1", "node-a", 2)), aAgain.leases().claimUnfinished(id -> false));
    }

    /** A segment thread of an earlier run, hung in a write while its node gave the lease up and claimed it again. */
    @Test
    void aWriteOfAnEarlierRunOnTheSameNodeIsRefusedOnceItClaimedTheTransferAgain() {
        JdbcLedger a = node("node-a");
        a.accept(JdbcLedgerContract.transfer("t1"));
        a.start("t1", 1000, 1L, List.of(JdbcLedgerContract.seg(0, 0, 500), JdbcLedgerContract.seg(1, 500, 1000)));
        Claim firstRun = a.leases().claimOf("t1").orElseThrow();
        a.checkpoint("t1", firstRun, 0, 100);

        a.leases().released("t1"); // what giving the leases up does to the claim
        Claim secondRun = a.leases().claimUnfinished(id -> false).get(0);
        assertEquals(firstRun.epoch() + 1, secondRun.epoch());
        a.checkpoint("t1", secondRun, 0, 300);

        assertThrows(LostLeaseException.class, () -> a.checkpoint("t1", firstRun, 0, 200));
        assertThrows(LostLeaseException.class, () -> a.segmentDone("t1", firstRun, 1));
        assertThrows(LostLeaseException.class, () -> a.split("t1", firstRun, 1, 700,
                new SegmentRecord(2, 700, 1000, 700, false)));
        assertEquals(3, a.leases().fencedOff());
        assertEquals(List.of(new SegmentRecord(0, 0, 500, 300, false), new SegmentRecord(1, 500, 1000, 500, false)),
                a.segments("t1"));
        a.segmentDone("t1", secondRun, 1);

        // The same request again while this node runs the transfer: its claim (and so its running writers) holds.
        a.accept(JdbcLedgerContract.transfer("t1"));
        assertEquals(secondRun, a.leases().claimOf("t1").orElseThrow());
        a.checkpoint("t1", secondRun, 0, 400);
    }

    /** A node cut off mid-write must not hold the row lock (which the others' claims skip) for long. */
    @Test
    void aNodesSessionsEndATransactionLeftOpenForALease() throws SQLException {
        String url = Leases.withSessionTimeouts(SERVER + "?connectTimeout=5&currentSchema=" + schema, 3);
        try (Connection c = DriverManager.getConnection(url, USER, ""); Statement st = c.createStatement();
             var rs = st.executeQuery("SHOW idle_in_transaction_session_timeout")) {
            assertTrue(rs.next());
            assertEquals("6s", rs.getString(1));
        }
        assertEquals("jdbc:h2:file:/x", Leases.withSessionTimeouts("jdbc:h2:file:/x", 3));
    }

    /**
     * A link to the ledger that stops answering (packets dropped, nothing closed) left a query on a connection used a
     * moment before waiting for as long as the kernel kept the connection (minutes to hours): the pool validates only
     * connections idle for half a second, and PostgreSQL's driver reads without a timeout. A node's API request or
     * renewal then hung until the link came back. The read times out after three leases now.
     */
    @Test
    void aQueryOnALinkThatStopsAnsweringFailsWithinThreeLeases() throws Exception {
        try (dev.ferry.testing.PartitionRelay db = dev.ferry.testing.PartitionRelay.start("127.0.0.1", 5432)) {
            String url = Leases.withSessionTimeouts("jdbc:postgresql://127.0.0.1:" + db.port()
                    + "/test?connectTimeout=5&currentSchema=" + schema, 3);
            JdbcLedger a = JdbcLedger.open(url, USER, "");
            a.leases().configure("node-a", 3);
            open.add(a);
            a.accept(JdbcLedgerContract.transfer("t1"));
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                assertTrue(a.find("t1").isPresent());
                db.cut();
                // At once, on the connection the find above just gave back: handed out without a validation.
                Future<?> cutOff = pool.submit(() -> a.find("t1"));
                long started = System.nanoTime();
                java.util.concurrent.ExecutionException failed = assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> cutOff.get(40, java.util.concurrent.TimeUnit.SECONDS),
                        "the query on a link that stopped answering did not fail");
                assertTrue(failed.getCause() instanceof LedgerException, failed.getCause().toString());
                assertTrue(System.nanoTime() - started >= 5_000_000_000L, "failed before the link could have"
                        + " answered a slow query: " + failed.getCause());
            } finally {
                db.heal();
                pool.shutdownNow();
            }
        }
    }

    @Test
    void renewalKeepsALeaseAndWritesTheNodesHeartbeat() throws Exception {
        JdbcLedger a = node("node-a");
        JdbcLedger b = node("node-b");
        a.accept(JdbcLedgerContract.transfer("t1"));
        expireLeases();
        assertTrue(a.leases().renew());
        assertEquals(List.of(), ids(b.leases().claimUnfinished(id -> false)), "renewed, so still node-a's");
        try (Connection c = DriverManager.getConnection(SERVER + "?currentSchema=" + schema, USER, "");
             Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT node_id FROM ferry_node WHERE heartbeat <= CURRENT_TIMESTAMP")) {
            assertTrue(rs.next());
            assertEquals("node-a", rs.getString(1));
        }
    }

    /**
     * Issue 15, shared inboxes: a node restarted under the same id that leaves one of its old rows to another node
     * (a drop waiting in the shared inbox, the elected node's) must not keep that row's lease alive by renewing.
     */
    @Test
    void aRestartedNodeRenewsOnlyWhatItClaimedNotEveryRowUnderItsId() throws Exception {
        JdbcLedger before = node("node-a");
        before.accept(JdbcLedgerContract.transfer("t1"));
        before.accept(JdbcLedgerContract.transfer("t2"));
        JdbcLedger after = node("node-a"); // the same node after a kill -9: it takes t2 back, leaves t1 alone
        expireLeases();
        assertEquals(List.of("t2"), ids(after.leases().claimUnfinished("t1"::equals)));
        expireLeases();
        assertTrue(after.leases().renew());
        JdbcLedger b = node("node-b");
        assertTrue(b.leases().claim("t1").isPresent(), "t1's lease was renewed by a node that does not run it");
        assertTrue(b.leases().claim("t2").isEmpty(), "t2, which node-a runs, was not renewed");
    }

    /**
     * A hostile review: a transfer cancelled on a node that then died could be given up by no other node ("is another
     * node's"), and its partial copy stayed for good. Once that node's lease ran out, another node claims it to give
     * it up; while the lease runs, it does not.
     */
    @Test
    void aCancelledTransferOfANodeWhoseLeaseRanOutCanBeGivenUpByAnother() throws SQLException {
        JdbcLedger a = node("node-a");
        JdbcLedger b = node("node-b");
        a.accept(JdbcLedgerContract.transfer("t9"));
        a.start("t9", 1000, 1L, List.of(JdbcLedgerContract.seg(0, 0, 1000)));
        a.status("t9", TransferStatus.CANCELLED, "cancelled");
        assertTrue(b.leases().claimToGiveUp("t9").isEmpty(), "node-a's lease still runs");
        assertTrue(a.leases().renew(), "node-a beats");
        expireLeases();
        assertTrue(b.leases().claimToGiveUp("t9").isEmpty(), "node-a lives: its heartbeat is fresh");
        try (Connection c = DriverManager.getConnection(SERVER + "?currentSchema=" + schema, USER, "");
             Statement st = c.createStatement()) {
            st.execute("UPDATE ferry_node SET heartbeat = CURRENT_TIMESTAMP - INTERVAL '1' MINUTE");
        }
        assertTrue(b.leases().claimToGiveUp("t9").isPresent(), "node-a stopped: no lease, no heartbeat");
        b.status("t9", TransferStatus.FAILED, "given up");
        assertEquals(TransferStatus.FAILED, b.find("t9").orElseThrow().status());
    }
}
