package dev.ferry.ftp;

import dev.ferry.DaemonThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections to every server, under one cap per server shared by all transfers. Idle sessions are kept for
 * reuse (small files need no new login) and count against the cap, because the server counts them too.
 *
 * <p>When a server answers "too many connections" the cap for that server drops to what is open right now
 * (at least one) for {@link #cooldown}, and the caller waits for one of those to be free instead of failing; with
 * none of ours open there is nothing to wait for, and the refusal goes to the caller (a transient failure).
 *
 * <p>{@link #prewarm} logs sessions in ahead of need, in the background, under the same cap.
 *
 * <p>Each place under the cap is also a {@link ConnectionPermits} permit, taken before a login and given back when
 * the connection closes: {@link ConnectionPermits#local()} for one process, the ledger's slots for a cluster, where
 * the cap holds for all nodes together and a refusal lowers it for all of them.
 */
public final class SessionPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);
    private static final Duration FRESH = Duration.ofSeconds(1);
    /**
     * Transfers after which a released session is closed instead of reused. A server process may keep something of
     * every transfer until its session ends: proftpd with mod_digest's cache (on by default) grows by about 128 KiB
     * per STOR, and its work per file grew with it -- a session that had taken 4,000 small uploads cost 40 % more CPU
     * per file than a new one. A new login every few hundred transfers costs a few milliseconds.
     */
    static final int TRANSFERS_PER_SESSION = 500;

    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final CapabilityProbe probe;
    private final Duration cooldown;
    private final Duration idleTimeout;
    private final int transfersPerSession;
    private final ExecutorService logins = Executors.newCachedThreadPool(DaemonThreads.named("ferry-login"));
    private volatile ConnectionPermits permits = ConnectionPermits.local();
    /**
     * Closes idle sessions once they expire, not only when the next borrower looks: an idle session holds its place,
     * and in a cluster another node may be waiting for it.
     */
    private final java.util.concurrent.ScheduledExecutorService reaper =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-idle"));

    public SessionPool(CapabilityProbe probe) {
        this(probe, Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    public SessionPool(CapabilityProbe probe, Duration cooldown, Duration idleTimeout) {
        this(probe, cooldown, idleTimeout, TRANSFERS_PER_SESSION);
    }

    SessionPool(CapabilityProbe probe, Duration cooldown, Duration idleTimeout, int transfersPerSession) {
        this.probe = probe;
        this.cooldown = cooldown;
        this.idleTimeout = idleTimeout;
        this.transfersPerSession = transfersPerSession;
        reaper.scheduleWithFixedDelay(() -> servers.values().forEach(Server::closeExpired), 1, 1,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    public CapabilityProbe probe() {
        return probe;
    }

    /** True when a login first takes its place in the shared ledger ({@link ConnectionPermits#inLedger}). */
    public boolean permitsInLedger() {
        return permits.inLedger();
    }

    /** Puts the caps under other permits (a cluster's); before the first session, so no permit is in two places. */
    public SessionPool permits(ConnectionPermits permits) {
        if (!servers.isEmpty()) {
            throw new IllegalStateException("connection permits are set before the first session");
        }
        this.permits = java.util.Objects.requireNonNull(permits, "permits");
        permits.whenLost(this::permitLost);
        return this;
    }

    /**
     * One of our places at this server went to another node: close a connection, so the cap holds for all. On the
     * idle reaper's thread, not the caller's: a QUIT waits for the server's reply, and the caller renews leases.
     */
    private void permitLost(String key) {
        Server server = servers.get(key);
        if (server != null) {
            try {
                reaper.execute(server::shedOne);
            } catch (RejectedExecutionException e) {
                // The pool is closing: every session closes anyway.
            }
        }
    }

    /**
     * A logged-in session, waiting while the server's cap is reached. Interrupting the thread ends the wait.
     * Give it back with {@link #release} (reusable) or {@link #discard} (broken or unwanted).
     */
    public FtpSession borrow(ServerProfile profile) throws IOException {
        Server server = serverFor(profile);
        while (true) {
            FtpSession idle = server.takeIdleOrReserve();
            if (idle != null) {
                idle = alive(server, idle);
                if (idle != null) {
                    return idle;
                }
                continue;
            }
            try {
                return login(server, profile);
            } catch (TooManyConnectionsException e) {
                int cap = server.refused(cooldown);
                if (server.openCount() == 0) {
                    // None of ours is open, so none will close to make room: the server's places are taken by others,
                    // or it refuses everyone. Waiting here would be for ever; the caller's retries are bounded.
                    throw e;
                }
                LOG.info("server {} refused connection {}: limit lowered to {} for {} s ({})", profile.name(),
                        cap + 1, cap, cooldown.toSeconds(), e.getMessage());
                server.awaitCapacity(cooldown);
            } catch (IOException | RuntimeException e) {
                server.unreserve();
                throw e;
            }
        }
    }

    /**
     * A session for optional work, only if one is idle or the cap has room now; null otherwise, without waiting and
     * without lowering the cap (a refusal here only means no session). Give it back as from {@link #borrow}.
     */
    public FtpSession tryBorrow(ServerProfile profile) throws IOException {
        return withoutWaiting(profile, false);
    }

    /**
     * For a probe: a session like {@link #borrow}'s, but null at once where {@code borrow} would wait for room (the
     * cap is taken, here or, in a cluster, on other nodes). A refusal lowers the cap and is thrown.
     */
    public FtpSession borrowIfRoom(ServerProfile profile) throws IOException {
        return withoutWaiting(profile, true);
    }

    /** An idle session, or a new one if the cap has room now; null otherwise. */
    private FtpSession withoutWaiting(ServerProfile profile, boolean refusalLowersCap) throws IOException {
        Server server = serverFor(profile);
        FtpSession idle = server.takeIdle();
        if (idle != null) {
            FtpSession live = alive(server, idle);
            if (live != null) {
                return live;
            }
        }
        if (!server.reserve()) {
            return null;
        }
        try {
            return login(server, profile);
        } catch (TooManyConnectionsException e) {
            if (!refusalLowersCap) {
                server.unreserve();
                return null;
            }
            server.refused(cooldown);
            throw e;
        } catch (IOException | RuntimeException e) {
            server.unreserve();
            throw e;
        }
    }

    /**
     * The idle session, or null when it no longer answers (it is closed). A session that answered a moment ago is
     * trusted without a NOOP: small files borrow three times each (plan, segment, publish). If it died meanwhile,
     * the caller's retry takes a new one.
     */
    private static FtpSession alive(Server server, FtpSession idle) {
        if (idle.answeredWithin(FRESH) || idle.stillAlive()) {
            return idle;
        }
        idle.close();
        server.closed();
        return null;
    }

    /** Logs in on a place already reserved under the cap. */
    private FtpSession login(Server server, ServerProfile profile) throws IOException {
        FtpSession session = FtpSession.open(profile, probe.knownUtf8(profile));
        server.opened();
        probe.read(session);
        return session;
    }

    private Server serverFor(ServerProfile profile) {
        return servers.computeIfAbsent(profile.key(), k -> new Server(k, profile.connectionLimit(), permits));
    }

    /**
     * Starts logging in, in the background, as many sessions as it takes for {@code wanted} to be idle or on their
     * way, as far as the cap allows now (it never waits for room); returns at once with how many it started.
     *
     * <p>A planner calls this once it knows how many segments will run (the command line, for the session it will
     * plan with), so that logins (PAM on vsftpd, TLS) overlap the remaining local work instead of following it.
     * A pre-opened session counts against the cap from the start, goes into the pool idle, and is what the next {@link #borrow} takes: a borrower
     * waits for a login under way rather than opening one more connection beside it. A background login that
     * fails is only logged (a refusal still lowers the cap); its place is freed and the borrower logs in itself,
     * with the usual retries and error reporting. Only a wrong user or password is passed on to the borrowers
     * waiting for that login: trying it again would fail the same way, after the server's failed-login delay.
     */
    public int prewarm(ServerProfile profile, int wanted) {
        Server server = serverFor(profile);
        int started = server.reserveWarm(wanted);
        for (int i = 0; i < started; i++) {
            try {
                logins.execute(() -> warm(profile, server));
            } catch (RejectedExecutionException e) {
                // The pool is closing.
                server.warmFailed(null);
            }
        }
        return started;
    }

    private void warm(ServerProfile profile, Server server) {
        FtpSession session = null;
        try {
            session = FtpSession.open(profile, probe.knownUtf8(profile));
            probe.read(session);
        } catch (TooManyConnectionsException e) {
            int cap = server.warmRefused(cooldown);
            LOG.info("server {} refused a pre-opened connection: limit lowered to {} for {} s ({})", profile.name(),
                    cap, cooldown.toSeconds(), e.getMessage());
            return;
        } catch (IOException | RuntimeException | Error e) {
            if (session != null) {
                session.close();
            }
            // Whatever happened, the place is given back: borrowers wait for this login until it is.
            server.warmFailed(e instanceof LoginRefusedException refused ? refused : null);
            if (e instanceof Error error) {
                throw error;
            }
            LOG.debug("pre-opening a connection to {} failed; the borrower logs in itself: {}", profile.name(),
                    e.getMessage());
            return;
        }
        if (!server.warmed(session, idleTimeout)) {
            // The pool closed, or a refusal lowered the cap meanwhile: the place is already given up.
            session.close();
        }
    }

    /**
     * Returns a healthy session for reuse; a broken one is closed instead, and so is one that has carried
     * {@link #TRANSFERS_PER_SESSION} transfers.
     */
    public void release(FtpSession session) {
        if (session.isBroken() || session.transfers() >= transfersPerSession) {
            discard(session);
            return;
        }
        server(session).giveBack(session, idleTimeout);
    }

    /** Closes the session and frees its place under the cap. */
    public void discard(FtpSession session) {
        session.close();
        server(session).closed();
    }

    /** The cap in force for a server now (lowered after "too many connections"), for planning segments. */
    public int limit(ServerProfile profile) {
        Server s = servers.get(profile.key());
        return s == null ? permits.limit(profile.key(), profile.connectionLimit()) : s.limit();
    }

    /** Connections open to a server now, busy or idle. */
    public int open(ServerProfile profile) {
        Server s = servers.get(profile.key());
        return s == null ? 0 : s.openCount();
    }

    private Server server(FtpSession session) {
        return servers.get(session.profile().key());
    }

    @Override
    public void close() {
        // Logins under way finish on their own (sockets ignore interrupts) and close what they opened.
        logins.shutdown();
        reaper.shutdownNow();
        servers.values().forEach(Server::closeIdle);
    }


    /** One server's cap, its count of open connections and its idle sessions, under one lock. */
    private static final class Server {
        private final String key;
        private final int configured;
        private final ConnectionPermits permits;
        private final Deque<Idle> idle = new ArrayDeque<>();
        private int open;
        /** Places taken by logins under way, pre-opened ones included. */
        private int reserved;
        /** Pre-opened logins under way (part of {@link #reserved}). */
        private int warming;
        /** Borrowers waiting for one of those rather than logging in beside it. */
        private int awaitingWarm;
        /** Background logins refused for good (user or password), and the last such refusal. */
        private int warmRefusals;
        private LoginRefusedException warmRefusal;
        private boolean closed;
        private int lowered;
        private long loweredUntil;
        /** The last reserve found room here but no permit: the places are taken elsewhere (other nodes). */
        private boolean permitsFull;

        Server(String key, int configured, ConnectionPermits permits) {
            this.key = key;
            this.configured = configured;
            this.permits = permits;
        }

        synchronized int limit() {
            int elsewhere = permits.limit(key, configured);
            if (lowered > 0 && System.nanoTime() - loweredUntil < 0) {
                return Math.min(lowered, elsewhere);
            }
            lowered = 0;
            return elsewhere;
        }

        /** A place (a permit) is given back: its connection closed, or its login never happened. */
        private void free() {
            permits.release(key);
        }

        /**
         * Closes one connection for a lost permit: the oldest idle one now, else the next one given back. Each place
         * freed here pays for one lost permit (the permits count them), whichever connection it was.
         */
        synchronized void shedOne() {
            if (permits.lost(key) > 0 && !idle.isEmpty()) {
                idle.pollLast().session.close();
                open--;
                free();
            }
            notifyAll();
        }

        synchronized int openCount() {
            return open + reserved;
        }

        synchronized FtpSession takeIdleOrReserve() throws IOException {
            while (true) {
                long now = System.nanoTime();
                FtpSession fresh = takeIdle();
                if (fresh != null) {
                    return fresh;
                }
                if (reserve()) {
                    return null;
                }
                boolean forWarm = warming > awaitingWarm;
                int refusalsBefore = warmRefusals;
                if (forWarm) {
                    awaitingWarm++;
                }
                try {
                    // Wake up at the latest when a lowered cap expires; a place freed on another node sends no
                    // notify here, so look again soon.
                    long millis = lowered > 0 ? Math.max(1, (loweredUntil - now) / 1_000_000) : 1_000;
                    wait(permitsFull ? Math.min(millis, 200) : millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for a connection");
                } finally {
                    if (forWarm) {
                        awaitingWarm--;
                    }
                }
                if (forWarm && warmRefusals != refusalsBefore) {
                    throw new LoginRefusedException(warmRefusal.getMessage(), warmRefusal.replyCode());
                }
            }
        }

        /** An idle session that has not expired, or null; expired ones are closed on the way. */
        synchronized FtpSession takeIdle() {
            long now = System.nanoTime();
            while (!idle.isEmpty()) {
                Idle i = idle.pollFirst();
                if (now - i.expires < 0) {
                    return i.session;
                }
                i.session.close();
                open--;
                free();
            }
            return null;
        }

        /** Closes the idle sessions that expired (the oldest are last); frees their places. */
        synchronized void closeExpired() {
            long now = System.nanoTime();
            boolean any = false;
            while (!idle.isEmpty() && now - idle.peekLast().expires >= 0) {
                idle.pollLast().session.close();
                open--;
                free();
                any = true;
            }
            if (any) {
                notifyAll();
            }
        }

        /** A place for a new login, if the cap has room and no pre-opened login is free for the taking. */
        synchronized boolean reserve() throws IOException {
            // A login started for us is nearer than a new one, and a new one beside it would be one too many.
            if (warming <= awaitingWarm && open + reserved < limit()) {
                permitsFull = !permits.tryAcquire(key, limit());
                if (!permitsFull) {
                    reserved++;
                    return true;
                }
            }
            return false;
        }

        /** Reserves places for pre-opened logins: what {@code wanted} lacks, within the cap; returns how many. */
        synchronized int reserveWarm(int wanted) {
            int n = Math.min(wanted - idle.size() - warming, limit() - open - reserved);
            if (closed || n <= 0) {
                return 0;
            }
            int got = 0;
            try {
                while (got < n && permits.tryAcquire(key, limit())) {
                    got++;
                }
            } catch (IOException e) {
                // Pre-opening is optional: the borrower takes its permit itself, and reports this if it lasts.
                LOG.debug("no connection permit for pre-opening: {}", e.getMessage());
            }
            reserved += got;
            warming += got;
            return got;
        }

        /** A pre-opened session becomes idle; false when it must be closed instead (its place is freed). */
        synchronized boolean warmed(FtpSession session, Duration idleTimeout) {
            reserved--;
            warming--;
            notifyAll();
            if (closed || open >= limit()) {
                free();
                return false;
            }
            open++;
            idle.addFirst(new Idle(session, System.nanoTime() + idleTimeout.toNanos()));
            return true;
        }

        synchronized void warmFailed(LoginRefusedException refused) {
            if (refused != null) {
                warmRefusals++;
                warmRefusal = refused;
            }
            warming--;
            unreserve();
        }

        synchronized int warmRefused(Duration cooldown) {
            warming--;
            return refused(cooldown);
        }

        synchronized void opened() {
            reserved--;
            open++;
        }

        synchronized void unreserve() {
            reserved--;
            free();
            notifyAll();
        }

        synchronized int refused(Duration cooldown) {
            reserved--;
            free();
            permits.refused(key, cooldown);
            // What is open, plus what is still connecting and may yet be let in; a later refusal lowers it again.
            lowered = Math.max(1, open + reserved);
            loweredUntil = System.nanoTime() + cooldown.toNanos();
            notifyAll();
            return lowered;
        }

        /** After a refusal: wait until a connection closes, or a short while if none is open to wait for. */
        synchronized void awaitCapacity(Duration cooldown) throws IOException {
            try {
                if (open + reserved >= limit()) {
                    wait(Math.min(cooldown.toMillis(), 1_000));
                } else {
                    wait(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for a connection");
            }
        }

        synchronized void giveBack(FtpSession session, Duration idleTimeout) {
            // After the pool closed, nothing would ever take or expire an idle session: close it.
            if (closed || permits.lost(key) > 0 || open > limit()) {
                session.close();
                open--;
                free();
            } else {
                idle.addFirst(new Idle(session, System.nanoTime() + idleTimeout.toNanos()));
            }
            notifyAll();
        }

        synchronized void closed() {
            open--;
            free();
            notifyAll();
        }

        synchronized void closeIdle() {
            closed = true;
            while (!idle.isEmpty()) {
                idle.pollFirst().session.close();
                open--;
                free();
            }
            notifyAll();
        }
    }

    private record Idle(FtpSession session, long expires) {
    }
}
