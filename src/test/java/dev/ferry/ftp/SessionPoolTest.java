package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool against a real server that counts logins and turns away connections over its cap. */
class SessionPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void prewarmLogsInAheadOfNeedAndBorrowTakesThoseSessions() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile p = profile(ftp, 4).build();
            assertEquals(3, pool.prewarm(p, 3));
            Await.until(WAIT, () -> ftp.currentSessions() == 3, () -> "logged in: " + ftp.currentSessions());
            assertEquals(3, pool.open(p));
            assertEquals(0, pool.prewarm(p, 3), "three are idle already");
            List<FtpSession> borrowed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                borrowed.add(pool.borrow(p));
            }
            assertEquals(3, ftp.loginCount(), "the borrows took the pre-opened sessions");
            borrowed.forEach(pool::release);
        }
    }

    @Test
    void borrowersWaitForLoginsUnderWayInsteadOfOpeningMore() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile p = profile(ftp, 8).build();
            assertEquals(3, pool.prewarm(p, 3));
            // At once, while those three are still logging in: room under the cap for three more, not wanted.
            List<CompletableFuture<FtpSession>> borrows = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                borrows.add(CompletableFuture.supplyAsync(() -> borrow(pool, p)));
            }
            for (CompletableFuture<FtpSession> b : borrows) {
                pool.release(b.get(10, TimeUnit.SECONDS));
            }
            // The borrowers can all be served by the first two (one releases, the next takes it) while the third
            // pre-opened session is still logging in: count once the three are in, then there must be no fourth.
            Await.until(WAIT, () -> ftp.loginCount() >= 3, () -> "logins: " + ftp.loginCount());
            assertEquals(3, ftp.loginCount(), "no login beside the pre-opened ones");
            assertEquals(3, pool.open(p));
        }
    }

    @Test
    void tryBorrowNeverWaitsAndNeverGoesOverTheCap() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile p = profile(ftp, 2).build();
            FtpSession first = pool.borrow(p);
            FtpSession second = pool.tryBorrow(p);
            assertNotNull(second, "one place was left under the cap of 2");
            assertNull(pool.tryBorrow(p), "the cap is reached: no session, and no wait");
            assertEquals(2, ftp.loginCount());
            pool.release(second);
            assertSame(second, pool.tryBorrow(p), "an idle session is taken before a new login");
            assertEquals(2, ftp.loginCount());
            pool.release(second);
            pool.release(first);
        }
    }

    @Test
    void aSessionIsClosedOnReleaseOnceItHasCarriedItsShareOfTransfers() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe(), Duration.ofSeconds(60), Duration.ofSeconds(30),
                     3)) {
            ServerProfile p = profile(ftp, 2).build();
            FtpSession s = pool.borrow(p);
            store(s, "/worn.bin", 1);
            store(s, "/worn.bin", 2);
            pool.release(s);
            FtpSession again = pool.borrow(p);
            assertSame(s, again, "two transfers of three: reused");
            store(again, "/worn.bin", 3);
            assertEquals(3, again.transfers());
            pool.release(again);
            assertEquals(0, pool.open(p), "closed on release, not kept idle");
            FtpSession fresh = pool.borrow(p);
            assertEquals(2, ftp.loginCount(), "the next borrower logs in anew");
            assertEquals(0, fresh.transfers());
            pool.release(fresh);
        }
    }

    private static void store(FtpSession s, String path, int b) throws IOException {
        OutputStream out = s.store(path, 0);
        out.write(b);
        s.endWrite(out);
    }

    @Test
    void prewarmAndBorrowersTogetherStayWithinTheCap() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLoginsPerIp(2).start();
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile p = profile(ftp, 2).build();
            FtpSession held = pool.borrow(p);
            assertEquals(1, pool.prewarm(p, 4), "one place left under the cap of 2");
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    workers.add(threads.submit(() -> {
                        for (int i = 0; i < 15; i++) {
                            FtpSession s = pool.borrow(p);
                            assertTrue(pool.open(p) <= 2, "open " + pool.open(p));
                            s.sync();
                            pool.release(s);
                            pool.prewarm(p, 4);
                        }
                        return null;
                    }));
                }
                Thread.sleep(100);
                pool.release(held);
                for (Future<?> f : workers) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals(0, ftp.refusedConnections(), "no connection over the cap was attempted");
            assertTrue(ftp.maxConcurrentSessions() <= 2, "at once: " + ftp.maxConcurrentSessions());
            assertEquals(2, ftp.loginCount(), "two logins served 60 borrows");
            assertEquals(2, pool.open(p));
        }
    }

    @Test
    void aRefusedPrewarmLowersTheCapAndKeepsNoPlace() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLoginsPerIp(2).start()) {
            ServerProfile p = profile(ftp, 4).build();
            SessionPool pool = new SessionPool(new CapabilityProbe());
            assertEquals(4, pool.prewarm(p, 4), "the profile allows 4; the server only 2");
            Await.until(WAIT, () -> ftp.refusedConnections() == 2 && ftp.currentSessions() == 2
                            && pool.open(p) == 2,
                    () -> "refused " + ftp.refusedConnections() + ", logged in " + ftp.currentSessions()
                            + ", open in the pool " + pool.open(p));
            assertEquals(2, pool.limit(p), "the refusals lowered the cap to what the server let in");
            FtpSession a = pool.borrow(p);
            FtpSession b = pool.borrow(p);
            assertEquals(2, ftp.loginCount(), "both borrows took pre-opened sessions");
            CompletableFuture<FtpSession> third = CompletableFuture.supplyAsync(() -> borrow(pool, p));
            Thread.sleep(300);
            assertFalse(third.isDone(), "a third waits for a free place");
            pool.release(a);
            FtpSession c = third.get(10, TimeUnit.SECONDS);
            assertEquals(2, ftp.loginCount());
            pool.release(b);
            pool.release(c);
            pool.close();
            Await.until(WAIT, () -> ftp.currentSessions() == 0, () -> "still logged in: " + ftp.currentSessions());
            assertEquals(2, ftp.refusedConnections());
        }
    }

    @Test
    void aRefusalWithNoneOfOursOpenGoesToTheCallerInsteadOfWaitingForEver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLoginsPerIp(1).start();
             SessionPool others = new SessionPool(new CapabilityProbe());
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile p = profile(ftp, 2).build();
            // Another client holds the server's only place for this address.
            FtpSession theirs = others.borrow(p);
            CompletableFuture<FtpSession> ours = CompletableFuture.supplyAsync(() -> borrow(pool, p));
            ExecutionException refused = assertThrows(ExecutionException.class, () -> ours.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TooManyConnectionsException.class, refused.getCause().getCause(), refused.toString());
            assertEquals(0, pool.open(p), "the refused login keeps no place");
            // Once the other client leaves, the next borrow gets in.
            others.discard(theirs);
            // The server frees the place once it has seen the other client go.
            Await.until(WAIT, () -> ftp.currentSessions() == 0, () -> "logged in: " + ftp.currentSessions());
            FtpSession mine = pool.borrow(p);
            assertEquals(1, pool.open(p));
            pool.release(mine);
        }
    }

    @Test
    void aSessionGivenBackAfterThePoolClosedIsClosed() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServerProfile p = profile(ftp, 2).build();
            SessionPool pool = new SessionPool(new CapabilityProbe());
            FtpSession late = pool.borrow(p);
            Await.until(WAIT, () -> ftp.currentSessions() == 1, () -> "logged in: " + ftp.currentSessions());
            pool.close();
            pool.release(late);
            Await.until(WAIT, () -> ftp.currentSessions() == 0, () -> "still logged in: " + ftp.currentSessions());
            assertEquals(0, pool.open(p));
        }
    }

    @Test
    void aFailedPrewarmIsQuietAndFreesItsPlace() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile wrong = profile(ftp, 2).password("not-the-password").build();
            assertEquals(2, pool.prewarm(wrong, 2));
            Await.until(WAIT, () -> pool.open(wrong) == 0, () -> "places still taken: " + pool.open(wrong));
            Await.until(WAIT, () -> ftp.failedLoginCount() == 2, () -> "failed: " + ftp.failedLoginCount());
            // No login is under way now: the borrower logs in itself and hears why it cannot.
            assertThrows(LoginRefusedException.class, () -> pool.borrow(wrong));
            assertEquals(0, pool.open(wrong));
            Await.until(WAIT, () -> ftp.failedLoginCount() == 3, () -> "failed: " + ftp.failedLoginCount());
            assertEquals(0, ftp.loginCount());
        }
    }

    @Test
    void aBorrowerWaitingForARefusedLoginIsToldWithoutTryingAgain() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe())) {
            ServerProfile wrong = profile(ftp, 2).password("not-the-password").build();
            assertEquals(1, pool.prewarm(wrong, 1));
            LoginRefusedException e = assertThrows(LoginRefusedException.class, () -> pool.borrow(wrong));
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
            assertEquals(0, pool.open(wrong));
            Await.until(WAIT, () -> ftp.failedLoginCount() == 1, () -> "failed: " + ftp.failedLoginCount());
            Thread.sleep(200);
            assertEquals(1, ftp.failedLoginCount(), "the same password was not tried twice");
        }
    }

    @Test
    void closingThePoolWhileLoginsAreUnderWayLeavesNoSessionOpen() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServerProfile p = profile(ftp, 4).build();
            SessionPool pool = new SessionPool(new CapabilityProbe());
            assertEquals(4, pool.prewarm(p, 4));
            pool.close();
            assertEquals(0, pool.prewarm(p, 4), "a closed pool starts no login");
            Await.until(WAIT, () -> pool.open(p) == 0 && ftp.currentSessions() == 0,
                    () -> "open " + pool.open(p) + ", logged in " + ftp.currentSessions());
            Thread.sleep(200);
            assertEquals(0, ftp.currentSessions(), "a login that finished after close closed itself");
        }
    }

    /** An idle session holds a place (a cluster's slot): it is closed when it expires, without a borrower. */
    @Test
    void anIdleSessionIsClosedWhenItExpiresAndItsPermitGivenBack() throws Exception {
        LocalPermits permits = new LocalPermits();
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe(), Duration.ofSeconds(60), Duration.ofSeconds(1))
                     .permits(permits)) {
            ServerProfile p = profile(ftp, 4).build();
            List<FtpSession> borrowed = List.of(pool.borrow(p), pool.borrow(p));
            assertEquals(2, permits.taken(p.key()));
            borrowed.forEach(pool::release);
            assertEquals(2, ftp.currentSessions(), "released sessions stay for reuse");
            Await.until(WAIT, () -> ftp.currentSessions() == 0 && permits.taken(p.key()) == 0,
                    () -> "logged in " + ftp.currentSessions() + ", permits taken " + permits.taken(p.key()));
            assertEquals(0, pool.open(p));
        }
    }

    /** Places taken elsewhere (another node's slots): a probe gets no session at once instead of waiting. */
    @Test
    void borrowIfRoomGivesNothingAtOnceWhileEveryPermitIsTakenElsewhere() throws Exception {
        LocalPermits permits = new LocalPermits();
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             SessionPool pool = new SessionPool(new CapabilityProbe()).permits(permits)) {
            ServerProfile p = profile(ftp, 2).build();
            assertTrue(permits.tryAcquire(p.key(), 2));
            assertTrue(permits.tryAcquire(p.key(), 2));
            long t0 = System.nanoTime();
            assertNull(pool.borrowIfRoom(p));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "it waited");
            assertEquals(0, ftp.loginCount());
            permits.release(p.key());
            FtpSession session = pool.borrowIfRoom(p);
            assertNotNull(session);
            assertEquals(1, ftp.currentSessions());
            pool.discard(session);
            assertEquals(1, permits.taken(p.key()), "the probe's permit is given back");
        }
    }

    private static ServerProfile.Builder profile(FtpServerFixture ftp, int limit) {
        return ServerProfile.builder("pool").host(ftp.host()).port(ftp.port()).user(ftp.user())
                .password(ftp.password()).connectionLimit(limit).connectTimeout(Duration.ofSeconds(5))
                .soTimeout(Duration.ofSeconds(5)).dataTimeout(Duration.ofSeconds(5));
    }

    private static FtpSession borrow(SessionPool pool, ServerProfile p) {
        try {
            return pool.borrow(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
