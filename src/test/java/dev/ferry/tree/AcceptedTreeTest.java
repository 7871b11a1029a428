package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.Claim;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TreeListings;
import dev.ferry.ledger.TreeOrders;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder request accepted from a queue or the API ({@link TreeRequests#accept}) and run later
 * ({@link TreeRequests#runAccepted}): the acceptance claims nothing and is refused, writing nothing, while the tree
 * runs; a request whose tree could not run (it ran already) is kept until it has run; and one whose tree ended only
 * because the service was stopping is kept for the next start.
 */
class AcceptedTreeTest {
    private static final int FOLDERS = 4;
    private static final String ALL = "{\"remotePath\":\"/tree/\",\"localPath\":\"tree\"}";

    @TempDir
    Path tmp;
    FtpServerFixture ftp;
    JdbcLedger ledger;
    TransferEngine engine;
    ServerProfile profile;
    TreeRequests requests;
    Path downloads;
    final AtomicBoolean refuseReads = new AtomicBoolean();

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().ftplet("refuse", new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
                    throws org.apache.ftpserver.ftplet.FtpException, IOException {
                if (refuseReads.get() && "RETR".equalsIgnoreCase(request.getCommand())) {
                    session.write(new DefaultFtpReply(550, "Not now"));
                    return FtpletResult.SKIP;
                }
                return FtpletResult.DEFAULT;
            }
        }).start();
        for (int i = 0; i < FOLDERS; i++) {
            ftp.write(String.format("tree/d%02d/f.bin", i), 1024 + i, i);
        }
        profile = ftp.profile(6).build();
        ledger = JdbcLedger.h2(tmp.resolve("ledger"));
        engine = engine(ledger);
        downloads = tmp.resolve("downloads");
        requests = new TreeRequests(engine, () -> "test", downloads, TreeLimits.DEFAULTS);
    }

    @AfterEach
    void stop() {
        engine.close();
        ledger.close();
        ftp.close();
    }

    private TransferEngine engine(JdbcLedger l) {
        return new TransferEngine(l, new ServerProfiles().add(profile), TransferOptions.none(), Duration.ofMillis(200));
    }

    private Path into() {
        return downloads.resolve("tree").toAbsolutePath().normalize();
    }

    @Test
    void aRequestWhoseTreeIsRunningHereAlreadyIsKeptAndRunsAfterThatRun() throws Exception {
        String id = requests.accept(ALL, "queued request");
        // A request file for the same folder, taking one folder of it, runs first (held at its first listing).
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        Held held = new Held(new PooledListing(engine.pool(), profile), reached, gate);
        AtomicReference<Object> first = new AtomicReference<>();
        Thread t = new Thread(() -> first.set(outcome(() -> new TreeRun(engine, "test", TreeLimits.DEFAULTS, held)
                .download("/tree/", into(), TransferOptions.none(),
                        new TreeFilter(List.of("d00/*"), List.of(), null, false)))));
        t.start();
        try {
            Await.until(Duration.ofSeconds(30), () -> reached.getCount() == 0, () -> "the first run never listed");
            assertThrows(TreeAlreadyRunningException.class, () -> requests.runAccepted(id));
            TreeOrders.Order kept = ledger.treeOrders().get(id);
            assertNotNull(kept, "the request did not run, and was forgotten: the files it asks for never come");
            assertEquals(ALL, kept.request());
        } finally {
            gate.countDown();
            t.join(60_000);
        }
        TreeResult r = assertInstanceOf(TreeResult.class, first.get(), () -> String.valueOf(first.get()));
        assertEquals(1, r.transferred(), "the first run took one folder");

        // Sent again (the service does so at the first run's end), it runs now: every file, and then it is forgotten.
        String summary = requests.runAccepted(id);
        assertTrue(summary.contains(FOLDERS - 1 + " transferred"), summary);
        for (int i = 0; i < FOLDERS; i++) {
            String rel = String.format("d%02d/f.bin", i);
            assertEquals(Hashes.sha256(ftp.file("tree/" + rel)), Hashes.sha256(into().resolve(rel)), rel);
        }
        assertNull(ledger.treeOrders().get(id), "the request ran: nothing is left to run again");
    }

    @Test
    void anAcceptWhileItsTreeRunsHereIsRefusedAndLeavesThatRunItsClaimAndListing() {
        String id = TreeRun.idOf(Direction.DOWNLOAD, "test", "/tree", into());
        // A run here that has claimed its tree and listed a file: between its claim and its first counts, where it is
        // not yet among TreeState's running trees.
        TreeListings trees = ledger.treeListings();
        Claim run = trees.begin(id, Direction.DOWNLOAD, "test", "/tree", into().toString(), false).claim();
        trees.append(run, List.of(new TreeListings.Entry(1, "d00/f.bin", 1024, -1, false, null)));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> requests.accept(
                "{\"remotePath\":\"/tree/\",\"localPath\":\"tree\",\"relist\":true}", "POST /api/transfers"));
        assertTrue(refused.getMessage().contains(id) && refused.getMessage().contains("running"),
                refused.getMessage());
        assertNull(ledger.treeOrders().get(id), "a refused request left an order behind");
        // The run still holds its tree, and its listing is whole.
        trees.append(run, List.of(new TreeListings.Entry(2, "d01/f.bin", 1025, -1, false, null)));
        assertEquals(2, trees.page(id, 0, 10).size());
        assertEquals(TreeListings.LISTING, trees.get(id).status());
    }

    @Test
    void aFileFoundToBeAFolderWhileItsTreeRunsIsKeptAndLeavesThatRunAlone() throws Exception {
        String id = TreeRun.idOf(Direction.DOWNLOAD, "test", "/tree", into());
        TreeListings trees = ledger.treeListings();
        trees.begin(id, Direction.DOWNLOAD, "test", "/tree", into().toString(), false).claim();
        // A queued file request (acknowledged already) whose remotePath turned out to be that folder.
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
            exchange.setProperty(dev.ferry.camel.FerryConstants.REQUEST, new dev.ferry.plan.TransferRequest(
                    Direction.DOWNLOAD, "test", "/tree", into().toString(), TransferOptions.none()));
            assertEquals(id, requests.acceptFolderFound(exchange));
        }
        assertNotNull(ledger.treeOrders().get(id), "the acknowledged request was forgotten");
        assertEquals(TreeListings.LISTING, trees.get(id).status(), "the running tree's row was touched");
    }

    @Test
    void aFileOfATreeFoundToBeAFolderFailsAndStartsNoTree() throws Exception {
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
            exchange.setProperty(dev.ferry.camel.FerryConstants.REQUEST, new dev.ferry.plan.TransferRequest(
                    Direction.DOWNLOAD, "test", "/tree/d00", into().resolve("d00").toString(),
                    TransferOptions.none()).inTree("d-parent"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> requests.acceptFolderFound(exchange));
            assertTrue(e.getMessage().contains("/tree/d00") && e.getMessage().contains("d-parent"), e.getMessage());
        }
        assertTrue(ledger.treeOrders().treeIds().isEmpty(), "a tree's file started a tree of its own");
    }

    @Test
    void anAcceptedTreeKeepsNoNodeOutAndARefusedAcceptLeavesTheOrderAsItWasOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_tree_accept");
             JdbcLedger a = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger b = JdbcLedger.open(schema.url(), "postgres", "")) {
            a.leases().configure("node-a", 30);
            b.leases().configure("node-b", 30);
            TransferEngine ea = engine(a);
            TransferEngine eb = engine(b);
            try {
                TreeRequests onA = new TreeRequests(ea, () -> "test", downloads, TreeLimits.DEFAULTS);
                TreeRequests onB = new TreeRequests(eb, () -> "test", downloads, TreeLimits.DEFAULTS);
                String id = onA.accept(ALL, "queued request");
                // Node A's run has not started (or failed before its claim): the tree waits, run by no one.
                assertEquals(TreeListings.ACCEPTED, b.treeListings().get(id).status());
                Claim runOnB = b.treeListings().begin(id, Direction.DOWNLOAD, "test", "/tree", into().toString(),
                        false).claim();
                assertEquals(TreeListings.LISTING, a.treeListings().get(id).status(), "node B runs it");

                // While node B runs it, a request for it is refused on either node, and node A's order stays as it was.
                String other = "{\"remotePath\":\"/tree/\",\"localPath\":\"tree\",\"exclude\":\"*.bin\"}";
                IllegalStateException onOther = assertThrows(IllegalStateException.class,
                        () -> onA.accept(other, "queued request"));
                assertTrue(onOther.getMessage().contains("node-b"), onOther.getMessage());
                IllegalStateException here = assertThrows(IllegalStateException.class,
                        () -> onB.accept(other, "queued request"));
                assertTrue(here.getMessage().contains("running"), here.getMessage());
                TreeOrders.Order order = a.treeOrders().get(id);
                assertEquals("node-a", order.node());
                assertEquals(ALL, order.request());
                b.treeListings().append(runOnB, List.of(new TreeListings.Entry(1, "d00/f.bin", 1024, -1, false, null)));

                // Once node B's run has ended, a request for the tree is accepted again, waiting as the first did.
                b.treeListings().ended(runOnB, TreeListings.DONE, new TreeListings.Counts(1, 1, 0, 0, 0, 1024));
                onB.accept(other, "queued request");
                assertEquals("node-b", b.treeOrders().get(id).node());
                TreeListings.TreeRecord row = a.treeListings().get(id);
                assertEquals(TreeListings.ACCEPTED, row.status());
                assertFalse(row.listed(), "an ended tree is listed again, not resumed from a listing that is gone");
            } finally {
                ea.close();
                eb.close();
            }
        }
    }

    @Test
    void aRequestWhoseTreeAnotherNodeRunsIsKeptAndSentAgainUntilItHasRunOnPostgres() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("ferry_tree_wait");
             JdbcLedger a = JdbcLedger.open(schema.url(), "postgres", "");
             JdbcLedger b = JdbcLedger.open(schema.url(), "postgres", "")) {
            a.leases().configure("node-a", 30);
            b.leases().configure("node-b", 30);
            TransferEngine ea = engine(a);
            TreeRequests onA = new TreeRequests(ea, () -> "test", downloads, TreeLimits.DEFAULTS);
            java.util.concurrent.BlockingQueue<String> sentAgain = new java.util.concurrent.LinkedBlockingQueue<>();
            onA.runAgainWith(sentAgain::add);
            try {
                String id = onA.accept(ALL, "queued request");
                // Node B starts the same tree (a request file there) before node A's queue gets to it.
                Claim runOnB = b.treeListings().begin(id, Direction.DOWNLOAD, "test", "/tree", into().toString(),
                        false).claim();
                assertThrows(TreeListings.TreeRunningException.class, () -> onA.runAccepted(id));
                assertNotNull(a.treeOrders().get(id), "node A's request did not run, and was forgotten");
                assertEquals(id, sentAgain.poll(60, java.util.concurrent.TimeUnit.SECONDS), "it was not sent again");
                assertThrows(TreeListings.TreeRunningException.class, () -> onA.runAccepted(id));
                assertEquals(id, sentAgain.poll(60, java.util.concurrent.TimeUnit.SECONDS), "it was not sent again");

                // Node B's run ends: node A's request runs, whole, and is forgotten.
                b.treeListings().ended(runOnB, TreeListings.DONE, new TreeListings.Counts(0, 0, 0, 0, 0, 0));
                onA.runAccepted(id);
                for (int i = 0; i < FOLDERS; i++) {
                    String rel = String.format("d%02d/f.bin", i);
                    assertEquals(Hashes.sha256(ftp.file("tree/" + rel)), Hashes.sha256(into().resolve(rel)), rel);
                }
                assertNull(a.treeOrders().get(id));
                assertEquals(TreeListings.DONE, b.treeListings().get(id).status());
            } finally {
                onA.close();
                ea.close();
            }
        }
    }

    @Test
    void aTreeWhoseFilesFailedBecauseTheServiceStoppedKeepsItsRequestForTheNextStart() throws Exception {
        AtomicBoolean stopping = new AtomicBoolean();
        requests.stoppingWhen(stopping::get);
        String id = requests.accept(ALL, "queued request");
        // The service stops: its files fail (here, the server refuses every read), and nothing interrupts the tree.
        stopping.set(true);
        refuseReads.set(true);
        assertThrows(TreeRequests.IncompleteTreeException.class, () -> requests.runAccepted(id));
        assertFalse(Thread.currentThread().isInterrupted());
        assertNotNull(ledger.treeOrders().get(id), "the stop's failures count as the tree's outcome: its request is"
                + " forgotten and never runs again");

        // Not stopping: a run whose files fail has run, and its request goes.
        stopping.set(false);
        assertThrows(TreeRequests.IncompleteTreeException.class, () -> requests.runAccepted(id));
        assertNull(ledger.treeOrders().get(id));
    }

    private interface Run {
        Object run() throws Exception;
    }

    private static Object outcome(Run run) {
        try {
            return run.run();
        } catch (Throwable e) {
            return e;
        }
    }

    /** A real server's listing whose first call waits for {@code gate}. */
    private static final class Held implements ListingSource {
        final ListingSource inner;
        final CountDownLatch reached;
        final CountDownLatch gate;
        final AtomicInteger calls = new AtomicInteger();

        Held(ListingSource inner, CountDownLatch reached, CountDownLatch gate) {
            this.inner = inner;
            this.reached = reached;
            this.gate = gate;
        }

        @Override
        public boolean list(String d, Consumer<FTPFile> each) throws IOException {
            if (calls.incrementAndGet() == 1) {
                reached.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            return inner.list(d, each);
        }
    }
}
