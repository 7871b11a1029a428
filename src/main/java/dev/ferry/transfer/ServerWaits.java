package dev.ferry.transfer;

import dev.ferry.DaemonThreads;
import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerUnreachableException;
import dev.ferry.ftp.SessionPool;
import dev.ferry.plan.TransferRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transfers whose server cannot be reached at all, waiting for it without holding a thread.
 *
 * <p>The service runs queued, API and recovered transfers on a few consumers of one queue. A transfer that waited out
 * its server's outage on its consumer (up to the profile's {@code outageWait}, 600 s by default) held that consumer
 * for all of it: four such transfers stopped every queued transfer to every other server, and the list said nothing
 * about why (a review of the service over time: a request to a server that was up waited 11 minutes). Here such a
 * transfer steps aside instead: its row stays unfinished in the ledger and this node keeps its lease, the consumer is
 * free at once, and one probe per server (a login, on this class's own threads, 1 s doubling to 30 s apart as
 * {@link Attempts} waits) finds the server back and sends every transfer waiting for it into the queue again, in the
 * order they came. Transfers for a server already known to be away wait without trying it again.
 *
 * <p>Each transfer keeps its own clock, from when it first found its server gone until it reaches it: one whose wait
 * ran out is sent back like the others, and its next try that finds the server still away fails it, on the engine's
 * one failure path, as it did on its thread.
 *
 * <p>How a transfer comes back is its caller's ({@link Comeback}): the service's queue offers it again
 * ({@link #viaQueue}, set by {@link #resendWith}); a request file stays in its inbox, held back by the inbox's filter
 * while {@link #isWaiting}, and is taken again after. Without one the engine waits on the transfer's thread, as the
 * command line and a folder's files do.
 */
public final class ServerWaits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerWaits.class);
    /** How soon a transfer whose server is back but whose queue is full is offered again. */
    private static final long RESEND_AGAIN_MS = 1_000;

    /** How a waiting transfer comes back to where it runs. */
    @FunctionalInterface
    public interface Comeback {
        /** Sends it back; false when there is no room now (offered again a second later). */
        boolean sendBack(TransferRequest request);

        /** It has just begun to wait here (a request file is held back in its inbox from now on). */
        default void waiting(TransferRequest request) {
        }
    }

    /** What {@link #park} did: the words for the person, or, when the transfer's own wait ran out, why it fails. */
    record Parked(String why, boolean waitedOut) {
    }

    private final SessionPool pool;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService threads =
            Executors.newScheduledThreadPool(2, DaemonThreads.named("ferry-server-wait"));
    /** By server name; guarded by this. */
    private final Map<String, Outage> outages = new HashMap<>();
    /** Transfers whose server is back (or whose wait ran out), not yet taken back (no room); guarded by this. */
    private final LinkedHashMap<String, Waiting> returning = new LinkedHashMap<>();
    /** Each transfer's clock, from its first try that found its server away until it reaches it; guarded by this. */
    private final Map<String, Long> since = new HashMap<>();
    private volatile Comeback queue;
    private volatile boolean closed;

    ServerWaits(SessionPool pool, LongSupplier nanoTime) {
        this.pool = pool;
        this.nanoTime = nanoTime;
    }

    /** Lets the service's queued transfers step aside from now on: {@code queue} offers one to the queue again. */
    public void resendWith(Comeback queue) {
        this.queue = queue;
    }

    /** How a transfer comes back through the service's queue; null where there is none (not the service). */
    public Comeback viaQueue() {
        return queue;
    }

    /** Whether a transfer that {@code comeback} can send again should step aside rather than wait on its thread. */
    boolean open(Comeback comeback) {
        return comeback != null && !closed;
    }

    /** The transfer reached its server: a later outage is a new one, with a clock of its own. */
    synchronized void reached(String id) {
        since.remove(id);
    }

    /** Whether {@code server} is known to be out of reach now: a transfer for it waits without trying it. */
    synchronized boolean isAway(String server) {
        return outages.containsKey(server);
    }

    /**
     * Puts {@code request} aside until its server answers, to come back by {@code comeback}; {@code cause} is what
     * the try found (null: nothing was tried, the server was known to be away). Not parked when its own wait ran out:
     * then the transfer fails with the returned reason.
     */
    synchronized Parked park(TransferRequest request, ServerProfile profile, IOException cause, Comeback comeback) {
        long now = nanoTime.getAsLong();
        long first = since.computeIfAbsent(request.id(), id -> now);
        Outage outage = outages.get(profile.name());
        String what = cause != null ? cause.getMessage() : outage != null ? outage.cause : "unreachable";
        if (now - first >= profile.outageWait().toNanos()) {
            forget(request.id());
            return new Parked(what + " (" + Attempts.outageSpent(Duration.ofNanos(now - first), profile.outageWait())
                    + ")", true);
        }
        if (outage == null) {
            outage = new Outage(profile, cause);
            outages.put(profile.name(), outage);
            schedule(outage);
        } else if (cause != null) {
            outage.cause = cause.getMessage();
        }
        Waiting w = outage.waiting.get(request.id());
        if (w == null) {
            returning.remove(request.id());
            Instant wall = Instant.now().minusNanos(now - first);
            w = new Waiting(request, first, wall, comeback);
            outage.waiting.put(request.id(), w);
            comeback.waiting(request);
        }
        return new Parked(describe(outage, w), false);
    }

    /** Whether {@code id} waits here for its server (not yet sent back). */
    public synchronized boolean isWaiting(String id) {
        return outageOf(id) != null || returning.containsKey(id);
    }

    /** What {@code id} waits for, when it waits here: for the status page and the API. */
    public synchronized Optional<String> waiting(String id) {
        Outage o = outageOf(id);
        if (o != null) {
            return Optional.of(describe(o, o.waiting.get(id)));
        }
        return returning.containsKey(id)
                ? Optional.of("its server answers again; waiting for room in the transfer queue") : Optional.empty();
    }

    /** The outage {@code id} waits out, or null. */
    private Outage outageOf(String id) {
        for (Outage o : outages.values()) {
            if (o.waiting.containsKey(id)) {
                return o;
            }
        }
        return null;
    }

    /**
     * Takes {@code id} out, its clock too (a cancel, a lease this node lost, the transfer's end): true when it was
     * waiting here.
     */
    synchronized boolean forget(String id) {
        since.remove(id);
        Outage o = outageOf(id);
        return o != null ? o.waiting.remove(id) != null : returning.remove(id) != null;
    }

    /** How many transfers wait here. */
    public synchronized int size() {
        int n = returning.size();
        for (Outage o : outages.values()) {
            n += o.waiting.size();
        }
        return n;
    }

    private String describe(Outage o, Waiting w) {
        Instant givesUp = w.sinceWall.plus(o.wait).truncatedTo(ChronoUnit.SECONDS);
        return "server " + o.name + " cannot be reached" + (o.cause == null ? "" : " (" + o.cause + ")")
                + "; waiting for it without holding a worker since " + clock(w.sinceWall) + ", tried again up to "
                + Attempts.outageBackoff(Integer.MAX_VALUE).toSeconds() + " s apart, given up at " + clock(givesUp)
                + " if it is still out of reach (outage-wait " + o.wait.toSeconds() + " s)";
    }

    private static String clock(Instant t) {
        return LocalTime.ofInstant(t, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS) + "";
    }

    private void schedule(Outage o) {
        if (!closed) {
            long delay = Attempts.outageBackoff(o.probes + 1).toMillis();
            threads.schedule(() -> probe(o), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** One login at the server: it answers (even "no"), and every transfer waiting for it goes back to the queue. */
    private void probe(Outage o) {
        if (closed) {
            return;
        }
        IOException still = null;
        boolean heard = true;
        try {
            FtpSession s = pool.borrowIfRoom(o.profile);
            if (s != null) {
                pool.release(s);
            }
        } catch (ServerUnreachableException e) {
            still = e;
        } catch (FtpException e) {
            // It answered (a refused login, too many connections): the transfers meet that answer themselves.
        } catch (IOException | RuntimeException e) {
            // Nothing was asked of the server: on a shared ledger the login first takes a connection slot there, and
            // a ledger that did not answer was taken for the server answering, which sent every waiting transfer
            // into runs that failed at their first ledger call. The server stays away until a login says otherwise.
            heard = false;
            LOG.debug("server {} not probed: {}", o.name, e.toString());
        }
        List<Waiting> back = new ArrayList<>();
        synchronized (this) {
            if (still != null || !heard) {
                o.probes++;
                if (still != null) {
                    o.cause = still.getMessage();
                }
                // Those whose own wait ran out go back too: their next try fails them, on the engine's one path.
                long now = nanoTime.getAsLong();
                for (Iterator<Waiting> it = o.waiting.values().iterator(); it.hasNext(); ) {
                    Waiting w = it.next();
                    if (now - w.since >= o.wait.toNanos()) {
                        back.add(w);
                        it.remove();
                    }
                }
                if (o.waiting.isEmpty()) {
                    outages.remove(o.name);
                } else {
                    schedule(o);
                }
            } else {
                outages.remove(o.name);
                back.addAll(o.waiting.values());
            }
            for (Waiting w : back) {
                returning.put(w.request.id(), w);
            }
        }
        if (still == null && heard && !back.isEmpty()) {
            LOG.info("server {} answers again: {} transfer(s) waiting for it run again", o.name, back.size());
        }
        sendBack();
    }

    /** Sends the returning transfers back in the order they came, until one finds no room. */
    private void sendBack() {
        while (!closed) {
            Waiting next;
            synchronized (this) {
                Iterator<Waiting> it = returning.values().iterator();
                if (!it.hasNext()) {
                    return;
                }
                next = it.next();
            }
            boolean taken;
            try {
                taken = next.comeback.sendBack(next.request);
            } catch (RuntimeException e) {
                taken = false;
            }
            if (!taken) {
                threads.schedule(this::sendBack, RESEND_AGAIN_MS, TimeUnit.MILLISECONDS);
                return;
            }
            synchronized (this) {
                returning.remove(next.request.id(), next);
            }
        }
    }

    /**
     * Stops probing and sending back. The waiting transfers stay unfinished in the ledger, so the next start's
     * recovery runs them again.
     */
    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
    }

    private static final class Outage {
        final String name;
        final ServerProfile profile;
        final Duration wait;
        /** Probes that found it still away: the next one comes after {@link Attempts#outageBackoff} of one more. */
        int probes;
        String cause;
        /** In the order they came; a transfer's clock is its own, from when it found the server gone. */
        final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();

        Outage(ServerProfile profile, IOException cause) {
            this.name = profile.name();
            this.profile = profile;
            this.wait = profile.outageWait();
            this.cause = cause == null ? null : cause.getMessage();
        }
    }

    private record Waiting(TransferRequest request, long since, Instant sinceWall, Comeback comeback) {
    }
}
