package dev.ferry.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.LedgerException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every exchange handed to a lane completes, whatever fails: otherwise its file would sit in the inbox unanswered. */
class BatchLanesTest {
    private final CamelContext camel = new DefaultCamelContext();
    private final AtomicBoolean ledgerDown = new AtomicBoolean();
    /** Commits fail, as when PostgreSQL ends a session whose transaction stayed idle too long. */
    private final AtomicBoolean commitsFail = new AtomicBoolean();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    /** The next statement on a connection inside a transaction kills its session, as pg_terminate_backend would. */
    private final AtomicBoolean scopeDies = new AtomicBoolean();
    /** The next statement fails for a reason of its own (a serialization failure): the database is there. */
    private final AtomicBoolean nextStatementFails = new AtomicBoolean();
    private JdbcLedger ledger;
    private BatchLanes lanes;

    @AfterEach
    void stop() {
        if (lanes != null) {
            lanes.stop();
        }
        if (ledger != null) {
            ledger.close();
        }
    }

    /** An H2 ledger whose connections can be refused, as a database restart would. */
    private JdbcLedger ledgerThatCanGoDown(String name) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        DataSource flaky = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && ledgerDown.get()) {
                        throw new SQLException("connection refused (the database is restarting)", "08001");
                    }
                    Object result;
                    try {
                        result = method.invoke(h2, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    return result instanceof Connection c ? failingCommits(c) : result;
                });
        return JdbcLedger.open(flaky);
    }

    private Connection failingCommits(Connection real) {
        AtomicBoolean killed = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (killed.get() && !name.equals("close") && !name.equals("isClosed")) {
                        throw new SQLException("terminating connection due to administrator command", "57P01");
                    }
                    if (name.startsWith("prepare") || name.equals("createStatement")) {
                        if (!real.getAutoCommit() && scopeDies.getAndSet(false)) {
                            killed.set(true);
                            throw new SQLException("terminating connection due to administrator command", "57P01");
                        }
                        if (nextStatementFails.getAndSet(false)) {
                            throw new SQLException("could not serialize access due to concurrent update", "40001");
                        }
                    }
                    if (name.equals("commit") && commitsFail.getAndSet(false)) {
                        throw new SQLException("terminating connection due to idle-in-transaction timeout", "25P03");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Submits an exchange named {@code name} and waits for it to complete. */
    private Exchange runThrough(String name) throws InterruptedException {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(name);
        CountDownLatch done = new CountDownLatch(1);
        lanes.submit(exchange, doneSync -> done.countDown());
        assertTrue(done.await(10, TimeUnit.SECONDS), name + " was never completed");
        return exchange;
    }

    @Test
    void anExchangeWhoseBatchCannotReachTheLedgerFailsWithTheReason() throws Exception {
        ledger = ledgerThatCanGoDown("down");
        // As the real step does, an exchange asks the ledger before it sends anything.
        lanes = new BatchLanes(ledger, (exchange, inBatch) -> ledger.find("any").isEmpty()
                && ran.add(exchange.getIn().getBody(String.class)), 1, 64, () -> false);

        ledgerDown.set(true);
        Exchange refused = runThrough("a.bin");
        LedgerException why = assertInstanceOf(LedgerException.class, refused.getException());
        assertTrue(why.getMessage().contains("connection refused"), why.getMessage());
        assertEquals(List.of(), ran, "nothing may be transferred without a ledger to record it");

        ledgerDown.set(false);
        Exchange next = runThrough("b.bin");
        assertNull(next.getException());
        assertEquals(List.of("b.bin"), ran);
    }

    /**
     * A transfer stopped inside a batch because this node could not write under its lease (its last renewal too old:
     * one that waited out a ledger outage; seen in CI under load in LedgerAwayDropsTest) failed its drop, "another
     * node owns it now" with no other node there. It runs alone after the batch, where an exchange that lost its lease
     * waits for the ledger and runs once this node has it again.
     */
    @Test
    void aTransferStoppedInABatchForItsLeaseRunsAloneInsteadOfFailing() throws Exception {
        ledger = ledgerThatCanGoDown("lease");
        lanes = new BatchLanes(ledger, (exchange, unit) -> {
            String name = exchange.getIn().getBody(String.class);
            if (unit.deferred() && name.equals("lost.bin")) {
                throw new dev.ferry.transfer.TransferFailedException("u-1", "stopped", new dev.ferry.ledger
                        .LostLeaseException("u-1", "node n could not renew its lease in time, so it writes nothing"));
            }
            return ran.add(name + (unit.deferred() ? " in a batch" : " alone"));
        }, 1, 64, () -> false);

        Exchange lost = runThrough("lost.bin");
        assertNull(lost.getException(), () -> "failed: " + lost.getException());
        assertEquals(List.of("lost.bin alone"), ran);
        Exchange next = runThrough("next.bin");
        assertNull(next.getException());
        assertEquals(List.of("lost.bin alone", "next.bin in a batch"), ran);
    }

    @Test
    void anErrorInOneExchangeFailsItAloneAndTheLaneGoesOn() throws Exception {
        ledger = ledgerThatCanGoDown("error");
        lanes = new BatchLanes(ledger, (exchange, inBatch) -> {
            String name = exchange.getIn().getBody(String.class);
            if (name.equals("deep.bin")) {
                throw new StackOverflowError("too deep");
            }
            return ran.add(name);
        }, 1, 64, () -> false);

        Exchange failed = runThrough("deep.bin");
        // Camel keeps an Error as the cause of its own exception.
        assertInstanceOf(StackOverflowError.class, failed.getException().getCause(), failed.getException().toString());
        Exchange next = runThrough("c.bin");
        assertNull(next.getException());
        assertEquals(List.of("c.bin"), ran);
    }

    /**
     * A batch whose commit fails after its files went well (PostgreSQL ended its session) records none of them: each
     * runs again alone, from its body as it came, and completes without a failure (the real step finds its copy on
     * the server and records it), instead of every drop of the batch going to .failed/ with intact copies placed.
     */
    @Test
    void theExchangesOfABatchWhoseCommitFailedRunAgainAloneAndComplete() throws Exception {
        ledger = ledgerThatCanGoDown("commit");
        List<String> runs = new CopyOnWriteArrayList<>();
        lanes = new BatchLanes(ledger, (exchange, unit) -> {
            runs.add(exchange.getIn().getBody(String.class) + (unit.deferred() ? " in a batch" : " alone"));
            exchange.getIn().setBody("the result of " + exchange.getIn().getBody(String.class));
            return true;
        }, 1, 64, () -> false);

        commitsFail.set(true);
        Exchange exchange = runThrough("y.bin");

        assertNull(exchange.getException(), "the drop failed although it went well and the ledger is up");
        assertEquals(List.of("y.bin in a batch", "y.bin alone"), runs);
        assertEquals("the result of y.bin", exchange.getIn().getBody());
    }

    /**
     * The batch's session is killed while it runs: the exchange that met it and every one after it would fail on the
     * dead connection in a moment, and did, each drop going to .failed/ untouched. They run again alone instead, as
     * the ones before it whose commit failed with the session, and all complete.
     */
    @Test
    void theExchangesAfterTheBatchsSessionDiedRunAgainAloneAndComplete() throws Exception {
        ledger = ledgerThatCanGoDown("killed");
        CountDownLatch allQueued = new CountDownLatch(1);
        List<String> runs = new CopyOnWriteArrayList<>();
        lanes = new BatchLanes(ledger, asksTheLedger(runs, (name, unit) -> {
            if (name.equals("first.bin")) {
                allQueued.await(5, TimeUnit.SECONDS);
            }
            if (name.equals("killed.bin") && unit.deferred()) {
                scopeDies.set(true);
            }
        }), 1, 64, () -> false);

        List<Exchange> exchanges = submitAll(allQueued, "first.bin", "killed.bin", "third.bin", "fourth.bin");

        for (Exchange exchange : exchanges) {
            assertNull(exchange.getException(), exchange.getIn().getBody() + " failed although the ledger is up");
        }
        // The two of the failed batch alone; the two after it in whichever unit a lane gave them, none lost.
        assertTrue(runs.containsAll(List.of("first.bin alone", "killed.bin alone")), runs.toString());
        for (String later : List.of("third.bin", "fourth.bin")) {
            assertTrue(runs.stream().anyMatch(r -> r.startsWith(later + " ")), later + " never ran: " + runs);
        }
    }

    /**
     * After a failed commit, the first exchange run again alone fails for a reason of its own (a statement the
     * database refused, not a connection it could not give): the others still run, rather than all taking that
     * exchange's failure, which named another transfer, as if the database were gone.
     */
    @Test
    void aRunAgainThatFailsForItsOwnReasonLeavesTheOthersOfItsBatchToRun() throws Exception {
        ledger = ledgerThatCanGoDown("own-reason");
        CountDownLatch allQueued = new CountDownLatch(1);
        List<String> runs = new CopyOnWriteArrayList<>();
        lanes = new BatchLanes(ledger, asksTheLedger(runs, (name, unit) -> {
            if (name.equals("first.bin") && unit.deferred()) {
                allQueued.await(5, TimeUnit.SECONDS);
            }
            if (name.equals("first.bin") && !unit.deferred()) {
                nextStatementFails.set(true);
            }
        }), 1, 64, () -> false);

        commitsFail.set(true);
        List<Exchange> exchanges = submitAll(allQueued, "first.bin", "second.bin", "third.bin");

        LedgerException own = assertInstanceOf(LedgerException.class, exchanges.get(0).getException());
        assertTrue(own.getMessage().contains("serialize"), own.getMessage());
        assertNull(exchanges.get(1).getException(), "second.bin took another exchange's failure");
        assertNull(exchanges.get(2).getException(), "third.bin took another exchange's failure");
        assertTrue(runs.containsAll(List.of("second.bin alone", "third.bin alone")), runs.toString());
    }

    /** What a test arranges before an exchange's work: a wait, a fault for its statement. */
    private interface Before {
        void run(String name, dev.ferry.ledger.UnitOfWork unit) throws Exception;
    }

    /**
     * Work shaped as the real step's: {@code before}, then a question to the ledger before anything is sent; each run
     * that got its answer is noted in {@code runs} as "name in a batch" or "name alone".
     */
    private BatchLanes.Work asksTheLedger(List<String> runs, Before before) {
        return (exchange, unit) -> {
            String name = exchange.getIn().getBody(String.class);
            before.run(name, unit);
            ledger.find(name);
            runs.add(name + (unit.deferred() ? " in a batch" : " alone"));
            return true;
        };
    }

    /** Submits an exchange per name, all queued before {@code allQueued} opens, and waits for every one to complete. */
    private List<Exchange> submitAll(CountDownLatch allQueued, String... names) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(names.length);
        List<Exchange> exchanges = new java.util.ArrayList<>();
        for (String name : names) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.getIn().setBody(name);
            exchanges.add(exchange);
            lanes.submit(exchange, doneSync -> done.countDown());
        }
        allQueued.countDown();
        assertTrue(done.await(20, TimeUnit.SECONDS), done.getCount() + " of " + names.length + " never completed");
        return exchanges;
    }

    /**
     * A drop whose row another node claimed while its batch ran (the commit leaves that row alone) runs again outside
     * the batch, from its body as it came: its first run's result in the body made the second read it as a request
     * and fail the drop with a made-up reason.
     */
    @Test
    void anExchangeTheCommitRefusedRunsAgainFromItsOwnBody() throws Exception {
        try (dev.ferry.testing.PostgresSchema schema = dev.ferry.testing.PostgresSchema.create("ferry_lanes_refused");
             JdbcLedger node2 = JdbcLedger.open(schema.url(), "postgres", "")) {
            ledger = JdbcLedger.open(schema.url(), "postgres", "");
            ledger.leases().configure("node-1", 60);
            node2.leases().configure("node-2", 60);
            String id = "taken-meanwhile";
            List<String> bodies = new CopyOnWriteArrayList<>();
            lanes = new BatchLanes(ledger, (exchange, unit) -> {
                bodies.add(exchange.getIn().getBody(String.class) + (unit.deferred() ? " in a batch" : " alone"));
                if (unit.deferred()) {
                    ledger.accept(dev.ferry.ledger.TransferRecord.accepted(id, dev.ferry.plan.Direction.UPLOAD, "s",
                            "/x", "/tmp/x", "{}"));
                    ledger.start(id, 1, 1, List.of(new dev.ferry.ledger.SegmentRecord(0, 0, 1, 0, false)));
                    ledger.published(id, 1, 0);
                    node2.accept(dev.ferry.ledger.TransferRecord.accepted(id, dev.ferry.plan.Direction.UPLOAD, "s",
                            "/x", "/tmp/x", "{}"));
                    exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, id);
                    exchange.getIn().setBody("the first run's result");
                }
                return true;
            }, 1, 64, () -> false);

            Exchange exchange = runThrough("x.bin");

            assertNull(exchange.getException(), "the drop's second run failed");
            assertEquals(List.of("x.bin in a batch", "x.bin alone"), bodies);
        }
    }

    /**
     * The inbox's file consumer hands its drops over on its own thread: a poll of 1,000 drops must not queue them all
     * at once, or every later poll lists all of them again while they drain (#16.4). The hand-over waits for room
     * beyond one batch's worth, and one that waits when the lanes stop leaves its exchange unfinished (its file
     * stays in the inbox for the next start).
     */
    @Test
    void aHandOverWaitsWhileABatchsWorthIsQueuedAndGivesUpWhenTheLanesStop() throws Exception {
        ledger = ledgerThatCanGoDown("bounded");
        CountDownLatch release = new CountDownLatch(1);
        lanes = new BatchLanes(ledger, (exchange, unit) -> {
            release.await();
            return ran.add(exchange.getIn().getBody(String.class));
        }, 1, 2, () -> false);
        List<String> completed = new CopyOnWriteArrayList<>();
        AtomicBoolean handedOver = new AtomicBoolean();
        Thread consumer = new Thread(() -> {
            // The lane takes the first and waits in it; two more fill the queue; the fourth must wait for room.
            for (int i = 1; i <= 4; i++) {
                Exchange exchange = new DefaultExchange(camel);
                String name = "f" + i + ".bin";
                exchange.getIn().setBody(name);
                lanes.submit(exchange, doneSync -> completed.add(name));
            }
            handedOver.set(true);
        });
        consumer.start();
        // Until the consumer waits with three exchanges handed over (one running, two queued).
        while (!(lanes.queued() == 2 && consumer.getState() == Thread.State.TIMED_WAITING)) {
            assertTrue(consumer.isAlive(), "the consumer handed all four over without waiting");
            Thread.sleep(5);
        }
        assertTrue(!handedOver.get(), "the fourth exchange was queued beyond one batch's worth");

        lanes.stop();
        consumer.join();
        assertTrue(handedOver.get());
        release.countDown();
        assertEquals(List.of(), completed.stream().filter(n -> n.equals("f4.bin")).toList(),
                "an exchange never queued was completed");
    }
}
