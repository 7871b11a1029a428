package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run per tree, and a stopped tree leaves no walk behind: a second run of a tree that runs in this process is
 * refused with the reason while the first ends whole; a download interrupted in the middle of its walk (a listing
 * held up on the real server) ends its walker thread and writes no entry listed after the stop.
 */
class TreeGuardTest {
    private static final int FOLDERS = 12;

    @TempDir
    Path tmp;
    FtpServerFixture ftp;
    JdbcLedger ledger;
    TransferEngine engine;
    ServerProfile profile;

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().start();
        for (int i = 0; i < FOLDERS; i++) {
            ftp.write(String.format("tree/d%02d/f.bin", i), 1024 + i, i);
        }
        profile = ftp.profile(6).build();
        ledger = JdbcLedger.h2(tmp.resolve("ledger"));
        engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        engine.close();
        ledger.close();
        ftp.close();
    }

    /**
     * A folder download into a path that is a file: the failure was Files.createDirectories' bare path (a request
     * file's whole reason file read "/data/downloads/dl.bin"); it says what is wrong and what to do, and the file
     * stays as it was.
     */
    @Test
    void aFolderDownloadIntoAFileSaysWhatIsWrong() throws Exception {
        Path out = Files.writeString(tmp.resolve("dl.bin"), "mine");
        java.nio.file.FileAlreadyExistsException e = assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                        TransferOptions.none()));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("this is a file")
                && e.getMessage().contains("name another local folder"), e.getMessage());
        assertEquals("mine", Files.readString(out));
    }

    @Test
    void aSecondRunOfATreeRunningInThisProcessIsRefusedAndTheFirstEndsWhole() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        Held held = new Held(new PooledListing(engine.pool(), profile), 1, reached, gate);
        Path out = tmp.resolve("out");
        AtomicReference<Object> first = new AtomicReference<>();
        Thread t = new Thread(() -> first.set(outcome(() ->
                new TreeRun(engine, "test", TreeLimits.DEFAULTS, held).download("/tree/", out, TransferOptions.none()))));
        t.start();
        try {
            Await.until(Duration.ofSeconds(30), () -> reached.getCount() == 0, () -> "the first run never listed");
            TreeAlreadyRunningException refused = assertThrows(TreeAlreadyRunningException.class,
                    () -> new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree", out,
                            TransferOptions.none()));
            String id = TreeRun.idOf(Direction.DOWNLOAD, "test", "/tree", out.toAbsolutePath().normalize());
            assertTrue(refused.getMessage().contains(id) && refused.getMessage().contains("already running")
                    && refused.getMessage().contains("run it again once"), refused.getMessage());
        } finally {
            gate.countDown();
            t.join(60_000);
        }
        TreeResult r = assertInstanceOf(TreeResult.class, first.get(), () -> String.valueOf(first.get()));
        assertTrue(r.complete(), r.problems().toString());
        assertEquals(FOLDERS, r.transferred());
        for (int i = 0; i < FOLDERS; i++) {
            String rel = String.format("d%02d/f.bin", i);
            assertEquals(Hashes.sha256(ftp.file("tree/" + rel)), Hashes.sha256(out.resolve(rel)), rel);
        }
        assertEquals(TreeListings.DONE, ledger.treeListings().get(r.id()).status());
        // Once the first has ended, the tree runs again (and finds everything already there).
        TreeResult again = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                TransferOptions.none());
        assertEquals(FOLDERS, again.skipped());
    }

    @Test
    void anInterruptedDownloadEndsItsWalkAndListsNothingMore() throws Exception {
        // The 6th listing is held up (as a slow server would) until the tree has been told to stop; a 7th would be
        // held for good: a walk that goes on after the stop asks for it, and its thread is then still there.
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch reachedAfter = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        PooledListing server = new PooledListing(engine.pool(), profile);
        Held sixth = new Held(server, 6, reached, gate);
        Held seventh = new Held(sixth, 7, reachedAfter, never);
        Path out = tmp.resolve("out");
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> outcome.set(outcome(() ->
                new TreeRun(engine, "test", TreeLimits.DEFAULTS, seventh).download("/tree/", out,
                        TransferOptions.none()))));
        t.start();
        String id = TreeRun.idOf(Direction.DOWNLOAD, "test", "/tree", out.toAbsolutePath().normalize());
        try {
            Await.until(Duration.ofSeconds(30), () -> reached.getCount() == 0, () -> "the walk never got far");
            Thread walker = sixth.holder.get();
            assertTrue(walker.getName().startsWith("ferry-tree-walk-"), walker.getName());
            t.interrupt();
            // The tree has stopped its listing once it interrupts the walk (or, on a tree that does not stop it, once
            // its own run has ended).
            Await.until(Duration.ofSeconds(30), () -> sixth.interrupted.getCount() == 0 || !t.isAlive(),
                    () -> "the tree did not react to its interruption: " + t.getState() + " "
                            + List.of(t.getStackTrace()));
            gate.countDown(); // the held listing answers now, after the stop
            t.join(60_000);
            assertFalse(t.isAlive(), "the tree's run did not end");
            Throwable failure = assertInstanceOf(Throwable.class, outcome.get(), () -> String.valueOf(outcome.get()));
            assertInstanceOf(InterruptedIOException.class, failure, () -> failure + " at "
                    + List.of(failure.getStackTrace()));
            assertFalse(walker.isAlive(), "the walker thread is still there after the tree ended: "
                    + List.of(walker.getStackTrace()));
            assertEquals(1, reachedAfter.getCount(), "the walk asked for another listing after the stop");
            String heldDir = sixth.dir.get().substring("/tree/".length());
            int after = 0;
            while (true) {
                List<TreeListings.Entry> page = ledger.treeListings().page(id, after, 100);
                if (page.isEmpty()) {
                    break;
                }
                for (TreeListings.Entry e : page) {
                    assertFalse(e.relative().startsWith(heldDir + "/"), "written after the stop: " + e);
                }
                after = page.get(page.size() - 1).seq();
            }
            TreeListings.TreeRecord row = ledger.treeListings().get(id);
            assertEquals(TreeListings.FAILED, row.status(), "an interrupted tree's row says it stopped");
            assertFalse(row.listed(), "a walk cut short is not resumed from");
        } finally {
            gate.countDown();
            never.countDown();
            t.join(60_000);
        }
    }

    @Test
    void aFolderReplacedByALinkAfterTheWalkMadeItIsRefusedAndNothingIsWrittenOutside() throws Exception {
        // Regression guard (passes on old main too): the walk checks names only; the read-back's real-path check
        // must catch a folder the walk made and someone then replaced by a link out of the tree.
        Path out = tmp.resolve("out");
        Path outside = java.nio.file.Files.createDirectories(tmp.resolve("outside"));
        PooledListing server = new PooledListing(engine.pool(), profile);
        ListingSource planting = (d, each) -> {
            if (d.equals("/tree/d03")) {
                Path made = out.resolve("d03");
                java.nio.file.Files.delete(made); // made empty by the walk when it listed /tree
                java.nio.file.Files.createSymbolicLink(made, outside);
            }
            return server.list(d, each);
        };
        TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS, planting).download("/tree/", out,
                TransferOptions.none());
        assertEquals(FOLDERS - 1, r.transferred());
        assertEquals(1, r.refused(), r.problems().toString());
        assertTrue(r.problems().toString().contains("d03/f.bin") && r.problems().toString().contains("outside"),
                r.problems().toString());
        try (var left = java.nio.file.Files.list(outside)) {
            assertEquals(List.of(), left.toList(), "written through the planted link");
        }
        for (int i = 0; i < FOLDERS; i++) {
            if (i != 3) {
                String rel = String.format("d%02d/f.bin", i);
                assertEquals(Hashes.sha256(ftp.file("tree/" + rel)), Hashes.sha256(out.resolve(rel)), rel);
            }
        }
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

    /**
     * A real server's listing whose {@code nth} call waits for {@code gate}, as a listing command under way does:
     * an interrupt does not end the wait (it stays set for the thread to see afterwards).
     */
    private static final class Held implements ListingSource {
        final ListingSource inner;
        final int nth;
        final CountDownLatch reached;
        final CountDownLatch gate;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<Thread> holder = new AtomicReference<>();
        final AtomicReference<String> dir = new AtomicReference<>();
        final CountDownLatch interrupted = new CountDownLatch(1);

        Held(ListingSource inner, int nth, CountDownLatch reached, CountDownLatch gate) {
            this.inner = inner;
            this.nth = nth;
            this.reached = reached;
            this.gate = gate;
        }

        @Override
        public boolean list(String d, Consumer<FTPFile> each) throws IOException {
            if (calls.incrementAndGet() == nth) {
                holder.set(Thread.currentThread());
                dir.set(d);
                reached.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        gate.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                        this.interrupted.countDown();
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return inner.list(d, each);
        }
    }
}
