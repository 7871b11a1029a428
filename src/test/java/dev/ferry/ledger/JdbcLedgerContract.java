package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every ledger store must do; subclasses supply the database. */
abstract class JdbcLedgerContract {

    private static final int THREADS = 8;

    protected JdbcLedger ledger;

    /** Leaves the store empty (no tables), so each test also creates the schema. */
    protected abstract void resetStore() throws Exception;

    /** Opens a ledger on the store; a second call opens the same data again. */
    protected abstract JdbcLedger openLedger();

    @BeforeEach
    void openEmptyLedger() throws Exception {
        resetStore();
        ledger = openLedger();
    }

    @AfterEach
    void closeLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    static TransferRecord transfer(String id) {
        return TransferRecord.accepted(id, Direction.DOWNLOAD, "ftp.example.org", "/pub/" + id + ".iso",
                "/data/in/" + id + ".iso", "{\"request\":1}");
    }

    static SegmentRecord seg(int index, long start, long end) {
        return new SegmentRecord(index, start, end, start, false);
    }

    private void planned(String id, SegmentRecord... plan) {
        ledger.accept(transfer(id));
        ledger.start(id, plan[plan.length - 1].end(), 1_700_000_000_000L, List.of(plan));
    }

    // ---- accept ----------------------------------------------------------------------------------------

    @Test
    void acceptStoresTheTransfer() {
        TransferRecord r = transfer("t1");
        ledger.accept(r);

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(r.id(), found.id());
        assertEquals(Direction.DOWNLOAD, found.direction());
        assertEquals(r.server(), found.server());
        assertEquals(r.remotePath(), found.remotePath());
        assertEquals(r.localPath(), found.localPath());
        assertEquals(TransferStatus.ACCEPTED, found.status());
        assertEquals(-1, found.size());
        assertEquals(-1, found.sourceMtime());
        assertEquals(r.request(), found.request());
        assertNull(found.reason());
        assertEquals(0, found.bytesMoved());
        assertNotNull(found.created());
        assertFalse(found.updated().isBefore(found.created()));
        assertTrue(ledger.find("nope").isEmpty());
    }

    @Test
    void acceptLeavesAnUnfinishedTransferAlone() {
        planned("t1", seg(0, 0, 100), seg(1, 100, 200));
        ledger.checkpoint("t1", 0, 40);

        ledger.accept(TransferRecord.accepted("t1", Direction.DOWNLOAD, "ftp.example.org", "/pub/t1.iso",
                "/data/in/t1.iso", "{\"request\":2}"));

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.ACTIVE, found.status());
        assertEquals("{\"request\":1}", found.request());
        assertEquals(200, found.size());
        assertEquals(List.of(new SegmentRecord(0, 0, 100, 40, false), seg(1, 100, 200)), ledger.segments("t1"));
    }

    @Test
    void acceptReopensAPublishedTransferAsANewOne() {
        planned("t1", seg(0, 0, 100));
        ledger.segmentDone("t1", 0);
        ledger.published("t1", 100, 0);

        ledger.accept(TransferRecord.accepted("t1", Direction.DOWNLOAD, "ftp.example.org", "/pub/t1.iso",
                "/data/in/t1.iso", "{\"request\":2}"));

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.ACCEPTED, found.status());
        assertEquals("{\"request\":2}", found.request());
        assertNull(found.reason());
        assertEquals(-1, found.size());
        assertEquals(100, found.bytesMoved(), "counters span all runs");
        assertEquals(List.of(), ledger.segments("t1"));
        assertEquals(List.of("t1"), ids(ledger.unfinished()));
    }

    @ParameterizedTest
    @EnumSource(value = TransferStatus.class, names = {"FAILED", "CANCELLED"})
    void acceptReopensAFailedOrCancelledTransferKeepingItsSegmentsForResume(TransferStatus finished) {
        planned("t1", seg(0, 0, 100), seg(1, 100, 200));
        ledger.segmentDone("t1", 0);
        ledger.checkpoint("t1", 1, 150);
        ledger.status("t1", finished, "a reason");

        ledger.accept(TransferRecord.accepted("t1", Direction.DOWNLOAD, "ftp.example.org", "/pub/t1.iso",
                "/data/in/t1.iso", "{\"request\":2}"));

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.ACCEPTED, found.status());
        assertEquals("{\"request\":2}", found.request());
        assertNull(found.reason());
        assertEquals(200, found.size(), "the fingerprint stays for the planner to compare");
        assertEquals(List.of(new SegmentRecord(0, 0, 100, 100, true), new SegmentRecord(1, 100, 200, 150, false)),
                ledger.segments("t1"));
        assertEquals(List.of("t1"), ids(ledger.unfinished()));
    }

    @Test
    void concurrentAcceptsOfANewIdMakeOneRow() throws Exception {
        List<Boolean> results = concurrently(() -> {
            ledger.accept(transfer("t1"));
            return true;
        });

        assertEquals(THREADS, results.size());
        assertEquals(List.of("t1"), ids(ledger.recent(100)));
        assertEquals(TransferStatus.ACCEPTED, ledger.find("t1").orElseThrow().status());
    }

    @Test
    void concurrentAcceptsReopenAFinishedTransferOnce() throws Exception {
        planned("t1", seg(0, 0, 100));
        ledger.status("t1", TransferStatus.FAILED, "server gone");

        concurrently(() -> {
            ledger.accept(transfer("t1"));
            return true;
        });

        assertEquals(List.of("t1"), ids(ledger.recent(100)));
        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.ACCEPTED, found.status());
        assertNull(found.reason());
        assertEquals(1, ledger.segments("t1").size(), "a failed transfer keeps its segments for resume");
    }

    // ---- transfers -------------------------------------------------------------------------------------

    @Test
    void startStoresTheFingerprintAndReplacesTheSegments() {
        planned("t1", seg(0, 0, 100), seg(1, 100, 200), seg(2, 200, 300));
        ledger.checkpoint("t1", 1, 150);

        List<SegmentRecord> replan = List.of(seg(0, 0, 250), seg(1, 250, 500));
        ledger.start("t1", 500, 42L, replan);

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.ACTIVE, found.status());
        assertEquals(500, found.size());
        assertEquals(42L, found.sourceMtime());
        assertEquals(replan, ledger.segments("t1"));
    }

    /** An upload's source change time, in a scope's rows (written at its commit) and in the table alike. */
    @Test
    void startStoresTheSourcesChangeTime() throws Exception {
        long changed = 1_764_000_000_123_456_789L;
        planned("t1", seg(0, 0, 100));
        assertEquals(-1, ledger.find("t1").orElseThrow().sourceChangedAt(), "unknown until given");
        ledger.start("t1", 100, 42L, changed, List.of(seg(0, 0, 100)));
        assertEquals(changed, ledger.find("t1").orElseThrow().sourceChangedAt());
        ledger.oneCommit(() -> {
            ledger.accept(transfer("t2"));
            ledger.start("t2", 100, 42L, changed + 1, List.of(seg(0, 0, 100)));
            return null;
        });
        assertEquals(changed + 1, seenElsewhere("t2").orElseThrow().sourceChangedAt());
    }

    @Test
    void startIsAllOrNothing() {
        planned("t1", seg(0, 0, 100));
        // The duplicate index fails the insert after the old segments were deleted: nothing may change.
        List<SegmentRecord> broken = List.of(seg(0, 0, 50), seg(0, 50, 100));
        assertThrows(LedgerException.class, () -> ledger.start("t1", 100, 7L, broken));

        assertEquals(List.of(seg(0, 0, 100)), ledger.segments("t1"));
        assertEquals(1_700_000_000_000L, ledger.find("t1").orElseThrow().sourceMtime());
    }

    @Test
    void statusAndCountersUpdateTheTransfer() {
        ledger.accept(transfer("t1"));
        ledger.published("t1", 1000, 0);
        ledger.accept(transfer("t1"));
        ledger.published("t1", 500, 200);
        ledger.status("t1", TransferStatus.FAILED, "550 Permission denied on /pub/t1.iso");

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(1500, found.bytesMoved());
        assertEquals(200, found.bytesResent());
        assertEquals(TransferStatus.FAILED, found.status());
        assertEquals("550 Permission denied on /pub/t1.iso", found.reason());
        assertTrue(found.updated().isAfter(found.created()));

        assertThrows(IllegalArgumentException.class, () -> ledger.status("nope", TransferStatus.FAILED, "x"));
        assertThrows(IllegalArgumentException.class, () -> ledger.published("nope", 1, 0));
    }

    @Test
    void publishedEndsTheTransferAndAddsItsBytesInOneStep() {
        ledger.accept(transfer("t1"));
        ledger.published("t1", 300, 0);
        ledger.accept(transfer("t1"));
        ledger.status("t1", TransferStatus.FAILED, "421 too many connections");
        ledger.accept(transfer("t1"));
        ledger.published("t1", 1000, 100);

        TransferRecord found = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.PUBLISHED, found.status());
        assertNull(found.reason(), "an earlier run's failure is not the published transfer's reason");
        assertEquals(1300, found.bytesMoved());
        assertEquals(100, found.bytesResent());
        assertTrue(ledger.unfinished().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ledger.published("nope", 1, 0));
    }

    @Test
    void unfinishedListsAcceptedAndActiveOldestFirst() {
        for (String id : List.of("c", "a", "d", "b")) {
            ledger.accept(transfer(id));
        }
        ledger.start("a", 10, 1, List.of(seg(0, 0, 10)));
        ledger.status("d", TransferStatus.PUBLISHED, null);

        assertEquals(List.of("c", "a", "b"), ids(ledger.unfinished()));
    }

    @Test
    void recentListsNewestUpdatedFirst() {
        for (String id : List.of("a", "b", "c")) {
            ledger.accept(transfer(id));
        }
        ledger.status("a", TransferStatus.CANCELLED, "by operator");

        assertEquals(List.of("a", "c", "b"), ids(ledger.recent(10)));
        assertEquals(List.of("a", "c"), ids(ledger.recent(2)));
        assertEquals(List.of(), ledger.recent(0));
    }

    // ---- segments --------------------------------------------------------------------------------------

    @Test
    void checkpointPersistsAcrossReopening() {
        planned("t1", seg(0, 0, 100), seg(1, 100, 200));
        ledger.checkpoint("t1", 1, 170);
        ledger.checkpoint("t1", 0, 100);
        ledger.close();

        ledger = openLedger();
        assertEquals(List.of(new SegmentRecord(0, 0, 100, 100, false), new SegmentRecord(1, 100, 200, 170, false)),
                ledger.segments("t1"));
    }

    @Test
    void checkpointRefusesAnOffsetOutsideTheSegment() {
        planned("t1", seg(0, 0, 100), seg(1, 100, 200));
        ledger.checkpoint("t1", 1, 100);
        ledger.checkpoint("t1", 1, 200);

        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> ledger.checkpoint("t1", 1, 99));
        assertMentions(below, "t1", "segment 1", "99", "[100, 200]");
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                () -> ledger.checkpoint("t1", 1, 201));
        assertMentions(above, "t1", "segment 1", "201", "[100, 200]");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ledger.checkpoint("t1", 7, 0));
        assertMentions(missing, "t1", "segment 7");

        assertEquals(200, ledger.segments("t1").get(1).offset());
    }

    @Test
    void segmentDoneMovesTheOffsetToTheEnd() {
        planned("t1", seg(0, 0, 100), seg(1, 100, 200));
        ledger.checkpoint("t1", 1, 120);
        ledger.segmentDone("t1", 1);

        assertEquals(new SegmentRecord(1, 100, 200, 200, true), ledger.segments("t1").get(1));
        assertThrows(IllegalArgumentException.class, () -> ledger.segmentDone("t1", 5));
    }

    @Test
    void splitHandsTheVictimsTailToANewSegment() {
        planned("t1", seg(0, 0, 1000));
        ledger.checkpoint("t1", 0, 100);

        assertTrue(ledger.split("t1", 0, 550, seg(1, 550, 1000)));

        assertEquals(List.of(new SegmentRecord(0, 0, 550, 100, false), seg(1, 550, 1000)), ledger.segments("t1"));
        // The victim can no longer record progress beyond its new end.
        assertThrows(IllegalArgumentException.class, () -> ledger.checkpoint("t1", 0, 600));
    }

    @Test
    void splitIsRefusedWhenTheVictimIsAlreadyPastTheNewEnd() {
        planned("t1", seg(0, 0, 1000));
        ledger.checkpoint("t1", 0, 600);

        assertFalse(ledger.split("t1", 0, 550, seg(1, 550, 1000)));
        assertTrue(ledger.split("t1", 0, 600, seg(1, 600, 1000)), "offset == newEnd may still split");

        assertEquals(List.of(new SegmentRecord(0, 0, 600, 600, false), seg(1, 600, 1000)), ledger.segments("t1"));
    }

    @Test
    void splitIsRefusedForADoneOrMissingVictimOrAStaleEnd() {
        planned("t1", seg(0, 0, 1000), seg(1, 1000, 2000));
        ledger.segmentDone("t1", 0);

        assertFalse(ledger.split("t1", 0, 500, seg(2, 500, 1000)), "done victim");
        assertFalse(ledger.split("t1", 9, 1500, seg(2, 1500, 2000)), "missing victim");
        assertFalse(ledger.split("t1", 1, 1500, seg(2, 1500, 1900)), "victim does not end where added ends");
        assertEquals(2, ledger.segments("t1").size());

        assertThrows(IllegalArgumentException.class, () -> ledger.split("t1", 1, 1500, seg(2, 1400, 2000)));
    }

    @Test
    void splitIsAtomic() {
        planned("t1", seg(0, 0, 1000), seg(1, 1000, 2000));

        // Shrinking the victim succeeds, inserting a second segment 1 cannot: the shrink must be undone.
        assertThrows(LedgerException.class, () -> ledger.split("t1", 0, 500, seg(1, 500, 1000)));

        assertEquals(List.of(seg(0, 0, 1000), seg(1, 1000, 2000)), ledger.segments("t1"));
    }

    @Test
    void concurrentThievesSplitAVictimOnce() throws Exception {
        planned("t1", seg(0, 0, 1000));
        List<Integer> thief = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            thief.add(i + 1);
        }
        List<Boolean> results = concurrently(() -> {
            int index;
            synchronized (thief) {
                index = thief.remove(0);
            }
            return ledger.split("t1", 0, 500, seg(index, 500, 1000));
        });

        assertEquals(1, results.stream().filter(b -> b).count());
        List<SegmentRecord> segments = ledger.segments("t1");
        assertEquals(2, segments.size());
        assertEquals(seg(0, 0, 500), segments.get(0));
        assertEquals(500, segments.get(1).start());
        assertEquals(1000, segments.get(1).end());
    }

    // ---- IdempotentRepository --------------------------------------------------------------------------

    @Test
    void idempotentRepositoryKeysAreFinishedSegments() {
        DoneSegments done = new DoneSegments(ledger);
        planned("up#1", seg(0, 0, 100), seg(1, 100, 200));
        ledger.checkpoint("up#1", 0, 30);

        assertFalse(done.contains("up#1#0"));
        assertTrue(done.add("up#1#0"));
        assertTrue(done.contains("up#1#0"));
        assertEquals(new SegmentRecord(0, 0, 100, 100, true), ledger.segments("up#1").get(0));
        assertFalse(done.add("up#1#0"), "already done");
        assertTrue(done.confirm("up#1#0"));

        assertFalse(done.add("up#1#9"), "no such segment");
        assertFalse(done.contains("up#1#9"));
        assertFalse(done.contains("other#0"));

        ledger.segmentDone("up#1", 1);
        assertTrue(done.contains("up#1#1"));

        assertTrue(done.remove("up#1#0"));
        assertFalse(done.contains("up#1#0"));
        assertEquals(seg(0, 0, 100), ledger.segments("up#1").get(0), "not done: the ledger must not claim its bytes");
        assertFalse(done.remove("up#1#0"), "was not done");
        assertFalse(done.remove("up#1#9"));

        done.clear();
        assertTrue(done.contains("up#1#1"), "clear keeps finished segments");

        assertThrows(IllegalArgumentException.class, () -> done.contains("no-index"));
        assertThrows(IllegalArgumentException.class, () -> done.add("t#x"));
    }

    @Test
    void camelServiceLifecycleLeavesTheLedgerUsable() {
        DoneSegments done = new DoneSegments(ledger);
        done.start();
        done.stop();
        ledger.accept(transfer("t1"));
        assertTrue(ledger.find("t1").isPresent());
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static List<String> ids(List<TransferRecord> records) {
        return records.stream().map(TransferRecord::id).toList();
    }

    // ---- one commit ------------------------------------------------------------------------------------

    /** What another connection sees now (the caller's thread may hold a scope). */
    private Optional<TransferRecord> seenElsewhere(String id) throws Exception {
        return elsewhere(() -> ledger.find(id));
    }

    /** Runs {@code task} on another thread, so through another connection than a scope on this one. */
    private static <T> T elsewhere(Callable<T> task) throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            return other.submit(task).get(30, TimeUnit.SECONDS);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void oneCommitRecordsItsWritesTogetherAtItsEnd() throws Exception {
        ledger.oneCommit(() -> {
            planned("t1", seg(0, 0, 100));
            ledger.segmentDone("t1", 0);
            ledger.published("t1", 100, 0);
            planned("t2", seg(0, 0, 50));
            // The scope's own thread reads its writes; nobody else sees them before the commit.
            assertEquals(TransferStatus.PUBLISHED, ledger.find("t1").orElseThrow().status());
            assertTrue(seenElsewhere("t1").isEmpty(), "an uncommitted write was visible to another connection");
            assertTrue(seenElsewhere("t2").isEmpty(), "an uncommitted write was visible to another connection");
            return null;
        });
        assertEquals(TransferStatus.PUBLISHED, seenElsewhere("t1").orElseThrow().status());
        assertEquals(100, seenElsewhere("t1").orElseThrow().bytesMoved());
        assertEquals(TransferStatus.ACTIVE, seenElsewhere("t2").orElseThrow().status());
        assertEquals(List.of(seg(0, 0, 50)), ledger.segments("t2"));
    }

    @Test
    void aFailedWriteInOneCommitIsUndoneAloneAndTheRestIsKept() {
        ledger.oneCommit(() -> {
            planned("t1", seg(0, 0, 100));
            // Fails after deleting t1's segments: only this write is undone, as in a transaction of its own.
            List<SegmentRecord> broken = List.of(seg(0, 0, 50), seg(0, 50, 100));
            assertThrows(LedgerException.class, () -> ledger.start("t1", 100, 7L, broken));
            assertThrows(IllegalArgumentException.class, () -> ledger.status("nope", TransferStatus.FAILED, "x"));
            ledger.status("t1", TransferStatus.FAILED, "after the broken plan");
            return null;
        });
        TransferRecord t1 = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.FAILED, t1.status());
        assertEquals("after the broken plan", t1.reason());
        assertEquals(1_700_000_000_000L, t1.sourceMtime());
        assertEquals(List.of(seg(0, 0, 100)), ledger.segments("t1"));
    }

    @Test
    void oneCommitCommitsWhatHappenedWhenItsWorkThrows() throws Exception {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> ledger.oneCommit(() -> {
            planned("t1", seg(0, 0, 100));
            // A scope inside a scope joins it: still nothing visible elsewhere.
            ledger.oneCommit(() -> {
                ledger.status("t1", TransferStatus.FAILED, "the server went away");
                return null;
            });
            assertTrue(seenElsewhere("t1").isEmpty(), "a nested scope committed on its own");
            throw new IllegalStateException("the work failed after recording its failure");
        }));
        assertEquals("the work failed after recording its failure", thrown.getMessage());
        TransferRecord t1 = seenElsewhere("t1").orElseThrow();
        assertEquals(TransferStatus.FAILED, t1.status());
        assertEquals("the server went away", t1.reason());
        // The thread's scope ended with the work: the next write commits at once.
        ledger.accept(transfer("t3"));
        assertTrue(seenElsewhere("t3").isPresent());
    }

    /** One small transfer's life, as the engine records it: accepted, planned, progress, done, published. */
    private void lifeOfASmallTransfer(String id) {
        ledger.accept(transfer(id));
        ledger.start(id, 1000, 1_700_000_000_000L, List.of(seg(0, 0, 600), seg(1, 600, 1000)));
        ledger.checkpoint(id, 0, 300);
        ledger.segmentDone(id, 1);
        ledger.published(id, 1000, 40);
    }

    @Test
    void aTransferCreatedInOneCommitIsWrittenAtItsEndAsIfEachWriteHadBeenMade() throws Exception {
        lifeOfASmallTransfer("plain");
        ledger.oneCommit(() -> {
            lifeOfASmallTransfer("scoped");
            // The scope's own reads see its transfers as they stand; nobody else sees them yet.
            assertEquals(TransferStatus.PUBLISHED, ledger.find("scoped").orElseThrow().status());
            assertEquals(List.of(new SegmentRecord(0, 0, 600, 300, false), new SegmentRecord(1, 600, 1000, 1000, true)),
                    ledger.segments("scoped"));
            ledger.accept(transfer("failing"));
            ledger.start("failing", 500, 7L, List.of(seg(0, 0, 500)));
            ledger.status("failing", TransferStatus.FAILED, "the server refused it");
            assertTrue(seenElsewhere("scoped").isEmpty(), "an uncommitted transfer was visible to another connection");
            return null;
        });
        TransferRecord plain = ledger.find("plain").orElseThrow();
        TransferRecord scoped = seenElsewhere("scoped").orElseThrow();
        assertEquals(List.of(plain.status(), plain.size(), plain.sourceMtime(), plain.request(), plain.bytesMoved(),
                        plain.bytesResent(), plain.direction(), plain.server()),
                List.of(scoped.status(), scoped.size(), scoped.sourceMtime(), scoped.request(), scoped.bytesMoved(),
                        scoped.bytesResent(), scoped.direction(), scoped.server()));
        assertNull(scoped.reason());
        assertTrue(scoped.created().isBefore(scoped.updated()), scoped.created() + " / " + scoped.updated());
        assertEquals(ledger.segments("plain"), ledger.segments("scoped"));
        TransferRecord failing = seenElsewhere("failing").orElseThrow();
        assertEquals(TransferStatus.FAILED, failing.status());
        assertEquals("the server refused it", failing.reason());
        assertEquals(List.of(seg(0, 0, 500)), ledger.segments("failing"));
        // Accepted again after its commit: re-opened like any published transfer, its counters kept.
        ledger.accept(transfer("scoped"));
        assertEquals(TransferStatus.ACCEPTED, ledger.find("scoped").orElseThrow().status());
        assertEquals(List.of(), ledger.segments("scoped"));
        assertEquals(1000, ledger.find("scoped").orElseThrow().bytesMoved());
    }

    @Test
    void aRefusedWriteToATransferCreatedInOneCommitChangesNothing() {
        ledger.oneCommit(() -> {
            ledger.accept(transfer("t1"));
            ledger.start("t1", 100, 7L, List.of(seg(0, 0, 100)));
            ledger.checkpoint("t1", 0, 40);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> ledger.checkpoint("t1", 0, 101)),
                    "t1", "outside the segment's range [0, 100]");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> ledger.segmentDone("t1", 3)),
                    "no segment 3 of transfer t1");
            assertMentions(assertThrows(LedgerException.class,
                    () -> ledger.start("t1", 100, 8L, List.of(seg(0, 0, 50), seg(0, 50, 100)))), "t1", "twice");
            assertThrows(LedgerException.class,
                    () -> ledger.start("t1", 100, 8L, List.of(new SegmentRecord(0, 0, 100, 101, false))));
            return null;
        });
        assertEquals(List.of(new SegmentRecord(0, 0, 100, 40, false)), ledger.segments("t1"));
        assertEquals(7L, ledger.find("t1").orElseThrow().sourceMtime());
        assertEquals(TransferStatus.ACTIVE, ledger.find("t1").orElseThrow().status());
    }

    @Test
    void aTransferSentBeforeStartsAfreshInOneCommitAndItsRowEndsInTheScopesState() throws Exception {
        lifeOfASmallTransfer("t1");
        TransferRecord before = ledger.find("t1").orElseThrow();
        ledger.accept(transfer("t2"));
        ledger.status("t2", TransferStatus.FAILED, "earlier run failed");
        ledger.oneCommit(() -> {
            ledger.accept(transfer("t1"));
            // Afresh: nothing of the earlier run is resumed inside the scope.
            assertEquals(List.of(), ledger.segments("t1"));
            assertEquals(TransferStatus.ACCEPTED, ledger.find("t1").orElseThrow().status());
            ledger.start("t1", 1000, 1_700_000_000_001L, List.of(seg(0, 0, 1000)));
            ledger.segmentDone("t1", 0);
            ledger.published("t1", 1000, 0);
            lifeOfASmallTransfer("t3");
            ledger.accept(transfer("t2"));
            ledger.status("t2", TransferStatus.FAILED, "failed again");
            return null;
        });
        TransferRecord t1 = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.PUBLISHED, t1.status());
        assertEquals(1_700_000_000_001L, t1.sourceMtime());
        assertEquals(2000, t1.bytesMoved(), "the counters describe every run");
        assertEquals(40, t1.bytesResent());
        assertEquals(before.created(), t1.created());
        assertTrue(t1.updated().isAfter(before.updated()));
        assertEquals(List.of(new SegmentRecord(0, 0, 1000, 1000, true)), ledger.segments("t1"));
        assertEquals("failed again", ledger.find("t2").orElseThrow().reason());
        assertEquals(TransferStatus.PUBLISHED, ledger.find("t3").orElseThrow().status());
        assertEquals(2, ledger.segments("t3").size());
    }

    @Test
    void anIdAcceptedElsewhereDuringOneCommitEndsInTheScopesState() throws Exception {
        ledger.oneCommit(() -> {
            ledger.accept(transfer("t1"));
            ledger.accept(transfer("t2"));
            // Another connection records t1 first: the scope had not written it, so nothing waited.
            elsewhere(() -> {
                ledger.accept(transfer("t1"));
                return null;
            });
            assertEquals(TransferStatus.ACCEPTED, seenElsewhere("t1").orElseThrow().status());
            ledger.start("t1", 100, 7L, List.of(seg(0, 0, 100)));
            ledger.segmentDone("t1", 0);
            ledger.published("t1", 100, 0);
            ledger.start("t2", 50, 7L, List.of(seg(0, 0, 50)));
            return null;
        });
        TransferRecord t1 = ledger.find("t1").orElseThrow();
        assertEquals(TransferStatus.PUBLISHED, t1.status());
        assertEquals(100, t1.bytesMoved());
        assertEquals(List.of(new SegmentRecord(0, 0, 100, 100, true)), ledger.segments("t1"));
        assertEquals(TransferStatus.ACTIVE, ledger.find("t2").orElseThrow().status());
        assertEquals(List.of(seg(0, 0, 50)), ledger.segments("t2"));
    }

    @Test
    void whatWaitsForTheScopeRunsOnceItsRowsAreVisibleElsewhere() throws Exception {
        List<String> seen = new ArrayList<>();
        UnitOfWork.IMMEDIATE.whenEnded(() -> seen.add("no scope: at once"));
        assertEquals(List.of("no scope: at once"), seen);
        ledger.oneCommit(unit -> {
            lifeOfASmallTransfer("t1");
            // As a claim on t1 would be released: another request then finds t1 published, not half-recorded.
            unit.whenEnded(() -> seen.add("after the commit: " + assertDoesNotThrow(
                    () -> seenElsewhere("t1")).map(TransferRecord::status).orElse(null)));
            assertEquals(1, seen.size(), "ran before the scope ended");
            return null;
        });
        assertEquals(List.of("no scope: at once", "after the commit: PUBLISHED"), seen);
        // And when the work fails: what was recorded is committed, and the action still runs.
        assertThrows(IllegalStateException.class, () -> ledger.oneCommit(unit -> {
            ledger.accept(transfer("t2"));
            unit.whenEnded(() -> seen.add("after a failed work: " + assertDoesNotThrow(
                    () -> seenElsewhere("t2")).map(TransferRecord::status).orElse(null)));
            throw new IllegalStateException("the work failed");
        }));
        assertEquals("after a failed work: ACCEPTED", seen.get(2));
        // The scope is gone: nothing is kept for a later one.
        ledger.oneCommit(() -> null);
        assertEquals(3, seen.size());
    }

    @Test
    void workThatNeedsSqlOnATransferCreatedInOneCommitSeesIt() {
        DoneSegments done = new DoneSegments(ledger);
        ledger.oneCommit(() -> {
            ledger.accept(transfer("t1"));
            ledger.start("t1", 1000, 7L, List.of(seg(0, 0, 1000)));
            ledger.checkpoint("t1", 0, 100);
            assertTrue(ledger.split("t1", 0, 550, seg(1, 550, 1000)));
            ledger.accept(transfer("t2"));
            assertEquals(List.of("t2", "t1"), ids(ledger.recent(10)));
            assertEquals(List.of("t1", "t2"), ids(ledger.unfinished()));
            assertTrue(done.add("t1#1"));
            assertTrue(done.contains("t1#1"));
            return null;
        });
        assertEquals(List.of(new SegmentRecord(0, 0, 550, 100, false), new SegmentRecord(1, 550, 1000, 1000, true)),
                ledger.segments("t1"));
        assertEquals(List.of("t2", "t1"), ids(ledger.recent(10)));
    }

    static void assertMentions(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' missing from: " + e.getMessage());
        }
    }

    /** Runs {@code task} on {@value #THREADS} threads released together; any failure fails the test. */
    private static <T> List<T> concurrently(Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier gate = new CyclicBarrier(THREADS);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    gate.await(30, TimeUnit.SECONDS);
                    return task.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
