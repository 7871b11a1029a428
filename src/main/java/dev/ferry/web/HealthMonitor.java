package dev.ferry.web;

import dev.ferry.DaemonThreads;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ledger.JdbcLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks in the background, every {@code interval}, that the ledger answers and that every configured server can be
 * reached and logged in to; requests for /observe/health only read the last results. A server check goes through
 * the session pool, so it respects the server's connection cap (a server whose every connection is busy with
 * transfers is not probed: those connections show it works).
 *
 * <p>{@link #registerIn} puts the checks in the CamelContext's health-check registry ({@link FerryHealthCheck}), so
 * /observe/health reports Camel's registry as a whole: Camel's own checks and Ferry's.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** One check's last result. {@code detail} is for a person and never holds a secret. */
    public record Check(String name, boolean up, String detail, Instant checkedAt, long tookMillis,
            boolean mayHaveWaitedOnTheLedger) {
        Check(String name, boolean up, String detail, Instant checkedAt, long tookMillis) {
            this(name, up, detail, checkedAt, tookMillis, false);
        }

    }

    private final JdbcLedger ledger;
    private final ServerProfiles profiles;
    private final SessionPool pool;
    private final Duration interval;
    private final Duration timeout;
    private final Instant started = Instant.now();
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-health"));
    private final ExecutorService probes = Executors.newCachedThreadPool(DaemonThreads.named("ferry-health-probe"));
    private volatile Map<String, Check> last = Map.of();
    private volatile Instant lastRound;
    private final List<FerryHealthCheck> registered = new ArrayList<>();
    private HealthCheckRegistry registry;

    /** Keys of a Camel health check result's details that Ferry's checks fill. */
    static final String DETAIL_CHECKED_AT = "checkedAt";
    static final String DETAIL_TOOK_MILLIS = "tookMillis";

    public HealthMonitor(JdbcLedger ledger, ServerProfiles profiles, SessionPool pool, Duration interval,
                         Duration timeout) {
        this.ledger = ledger;
        this.profiles = profiles;
        this.pool = pool;
        this.interval = interval;
        this.timeout = timeout;
    }

    public HealthMonitor start() {
        scheduler.scheduleWithFixedDelay(this::checkNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Registers the ledger and every server as readiness checks, and the rounds as a liveness check, in the
     * context's health-check registry (created by camel-health when the context has none yet).
     */
    public synchronized HealthMonitor registerIn(CamelContext context) {
        HealthCheckRegistry r = HealthCheckRegistry.get(context);
        if (r == null) {
            throw new IllegalStateException("the CamelContext has no health-check registry (is camel-health on the"
                    + " classpath?)");
        }
        registry = r;
        List<FerryHealthCheck> checks = new ArrayList<>();
        checks.add(FerryHealthCheck.rounds(this));
        names().forEach(n -> checks.add(FerryHealthCheck.readiness(this, n)));
        for (FerryHealthCheck c : checks) {
            c.setCamelContext(context);
            r.register(c);
            registered.add(c);
        }
        return this;
    }

    /** The names of the checks: "ledger", then "server:&lt;profile&gt;" in the order of the names. */
    List<String> names() {
        List<String> names = new ArrayList<>();
        names.add("ledger");
        profiles.all().stream().map(ServerProfile::name).sorted().forEach(n -> names.add("server:" + n));
        return names;
    }

    /** The last result of one check, or null before its first round. */
    Check check(String name) {
        return last.get(name);
    }

    /** Runs every check once, in parallel, each bounded by the timeout. Called by the schedule. */
    void checkNow() {
        try {
            Map<String, Future<Check>> running = new LinkedHashMap<>();
            running.put("ledger", probes.submit(timed("ledger", this::checkLedger)));
            List<ServerProfile> servers = new ArrayList<>(profiles.all());
            servers.sort(Comparator.comparing(ServerProfile::name));
            for (ServerProfile p : servers) {
                String name = "server:" + p.name();
                running.put(name, probes.submit(timed(name, () -> checkServer(p))));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<String, Check> results = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Check>> e : running.entrySet()) {
                results.put(e.getKey(), await(e.getKey(), e.getValue(), deadline));
            }
            Map<String, Check> before = last;
            notProbedForTheLedger(results, before);
            last = java.util.Collections.unmodifiableMap(results);
            lastRound = Instant.now();
            results.values().forEach(c -> {
                Check was = before.get(c.name());
                if (was == null ? !c.up() : was.up() != c.up()) {
                    LOG.info("health: {} is {}: {}", c.name(), c.up() ? "up" : "down", c.detail());
                }
            });
        } catch (RuntimeException e) {
            // Never let the schedule die: a dead health thread would report stale results forever.
            LOG.warn("health check round failed: {}", e.toString());
        }
    }

    /**
     * On a shared ledger a server's probe first takes a connection slot there: with the ledger away it waited out the
     * check's time and the server, which was fine, was reported DOWN "no answer" beside the ledger (a review of
     * several nodes with PostgreSQL stalled). Such a server is reported as not probed, keeping what its last probe
     * found; the ledger's own check says what is wrong.
     */
    private void notProbedForTheLedger(Map<String, Check> results, Map<String, Check> before) {
        Check ledgerCheck = results.get("ledger");
        if (ledgerCheck == null || ledgerCheck.up() || !pool.permitsInLedger()) {
            return;
        }
        results.replaceAll((name, c) -> {
            if (!name.startsWith("server:") || c.up() || !c.mayHaveWaitedOnTheLedger()) {
                return c;
            }
            Check was = before.get(name);
            return new Check(name, was == null || was.up(), "not probed: the ledger does not answer, and a connection"
                    + " to the server first takes its slot there", c.checkedAt(), c.tookMillis());
        });
    }

    private Check await(String name, Future<Check> f, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            // Its wait may have been for a connection slot in the ledger, not for the server.
            return new Check(name, false, "no answer within " + timeout.toSeconds() + " s", Instant.now(),
                    timeout.toMillis(), true);
        } catch (ExecutionException e) {
            return new Check(name, false, LastErrors.words(e.getCause()), Instant.now(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return new Check(name, false, "check interrupted", Instant.now(), 0);
        }
    }

    private interface Probe {
        String run() throws Exception;
    }

    /** Wraps a probe: its return is the detail of a passed check, an exception the detail of a failed one. */
    private static Callable<Check> timed(String name, Probe probe) {
        return () -> {
            long t0 = System.nanoTime();
            try {
                String detail = probe.run();
                return new Check(name, true, detail, Instant.now(), (System.nanoTime() - t0) / 1_000_000);
            } catch (Exception e) {
                return new Check(name, false, LastErrors.words(e), Instant.now(), (System.nanoTime() - t0) / 1_000_000,
                        causedBy(e, dev.ferry.ftp.PermitUnavailableException.class));
            }
        };
    }

    /**
     * A read alone is not enough: an H2 ledger whose disk filled up opens again for every read and closes on the
     * first write, and a database switched to read-only answers every read; the API and the inboxes then refused
     * every request while this said UP. The heartbeat this node writes every third of a lease is the write that
     * shows it: stale past two thirds of a lease (when the engine itself stops writing bytes, {@code Leases.fresh}),
     * the ledger is DOWN here too.
     */
    private String checkLedger() throws Exception {
        ledger.recent(1);
        dev.ferry.ledger.Leases leases = ledger.leases();
        if (leases.displaced()) {
            throw new Exception("another process runs as this node (" + leases.nodeId() + ") on the ledger");
        }
        if (!leases.fresh()) {
            String why = leases.renewalFailure();
            throw new Exception("the ledger answers reads but takes no writes: this node's heartbeat was last"
                    + " written " + leases.sinceRenewed().toSeconds() + " s ago"
                    + (why == null ? " (its write has not come back)" : ": " + why));
        }
        return "the ledger answers reads and writes";
    }

    private String checkServer(ServerProfile p) throws Exception {
        int open = pool.open(p);
        int limit = pool.limit(p);
        if (open >= limit) {
            return "all " + limit + " connections are in use by transfers (not probed)";
        }
        try {
            // Not borrow: with every place taken (by other nodes too) it would wait, and the check would time out.
            FtpSession session = pool.borrowIfRoom(p);
            if (session == null) {
                return "all " + limit + " connections are in use by transfers, on this node or others (not probed)";
            }
            try {
                session.sync();
                pool.release(session);
            } catch (Exception e) {
                pool.discard(session);
                throw e;
            }
            return "logged in at " + p.host() + ":" + p.port();
        } catch (Exception e) {
            // A server's message could quote what was sent; the password is never shown (Secret.masked: as a word).
            String secret = p.password().reveal();
            String words = LastErrors.words(e);
            throw new Exception(dev.ferry.ftp.Secret.masked(words, secret, "****"));
        }
    }

    /**
     * Runs {@code read} on the probes' threads and waits at most {@code wait} for it: null when it failed or took
     * longer (then it goes on alone, and its result is dropped).
     */
    <T> T within(Duration wait, Callable<T> read) {
        Future<T> f = probes.submit(read);
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            f.cancel(true);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return null;
        }
    }

    /** When the last round of checks ended; null before the first. */
    public Instant lastRound() {
        return lastRound;
    }

    public Duration interval() {
        return interval;
    }

    /** Alive: the checks keep running (the last round is not overdue). */
    public boolean live() {
        Instant since = lastRound != null ? lastRound : started;
        Duration allowed = interval.multipliedBy(3).plus(timeout.multipliedBy(2));
        return Duration.between(since, Instant.now()).compareTo(allowed) <= 0;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (registry != null) {
                registered.forEach(registry::unregister);
                registered.clear();
            }
        }
        scheduler.shutdownNow();
        probes.shutdownNow();
    }


    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
