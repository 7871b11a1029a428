package dev.ferry.transfer;

import dev.ferry.DaemonThreads;
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
import java.util.function.Predicate;
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
 * order they came. A transfer whose server stays away for its outage wait, counted from when it first found it gone,
 * fails as it did on its thread. Transfers for a server already known to be away wait without trying it again.
 *
 * <p>Only where something can send a transfer back ({@link #resendWith}: the service); elsewhere the engine waits on
 * the transfer's thread, as the command line and a folder's files do.
 */
public final class ServerWaits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerWaits.class);
    /** How soon a transfer whose server is back but whose queue is full is offered again. */
    private static final long RESEND_AGAIN_MS = 1_000;

    /** Records the end of a transfer that waited its whole outage wait: the engine, which owns its lifecycle. */
    interface Ends {
        void waitedOut(TransferRequest request, String reason);
    }

    private final SessionPool pool;
    private final Ends ends;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService threads =
            Executors.newScheduledThreadPool(2, DaemonThreads.named("ferry-server-wait"));
    /** By server name; guarded by this. */
    private final Map<String, Outage> outages = new HashMap<>();
    /** Transfers whose server is back, not yet taken by the queue (it was full); guarded by this. */
    private final LinkedHashMap<String, Waiting> returning = new LinkedHashMap<>();
    private volatile Predicate<TransferRequest> resend;
    private volatile boolean closed;

    ServerWaits(SessionPool pool, Ends ends, LongSupplier nanoTime) {
        this.pool = pool;
        this.ends = ends;
        this.nanoTime = nanoTime;
    }

    /**
     * Lets transfers step aside from now on: {@code resend} offers one to the queue again and says whether it was
     * taken (false: no room now, offered again a second later).
     */
    public void resendWith(Predicate<TransferRequest> resend) {
        this.resend = resend;
    }

    /** Whether a transfer that can be sent again should step aside rather than wait on its thread. */
    boolean open() {
        return resend != null && !closed;
    }

    /** Whether {@code server} is known to be out of reach now: a transfer for it waits without trying it. */
    synchronized boolean isAway(String server) {
        return outages.containsKey(server);
    }

    /**
     * Puts {@code request} aside until its server answers; {@code cause} is what the try found (null: nothing was
     * tried, the server was known to be away). Returns the words for the person: what it waits for, and until when.
     */
    synchronized String park(TransferRequest request, ServerProfile profile, IOException cause) {
        long now = nanoTime.getAsLong();
        Outage outage = outages.get(profile.name());
        if (outage == null) {
            outage = new Outage(profile, cause);
            outages.put(profile.name(), outage);
            schedule(outage);
        } else if (cause != null) {
            outage.cause = cause.getMessage();
        }
        Waiting w = outage.waiting.get(request.id());
        if (w == null) {
            w = returning.remove(request.id());
            w = w != null ? w : new Waiting(request, now, Instant.now());
            outage.waiting.put(request.id(), w);
        }
        return describe(outage, w);
    }

    /** What {@code id} waits for, when it waits here: for the status page and the API. */
    public synchronized Optional<String> waiting(String id) {
        for (Outage o : outages.values()) {
            Waiting w = o.waiting.get(id);
            if (w != null) {
                return Optional.of(describe(o, w));
            }
        }
        return returning.containsKey(id)
                ? Optional.of("its server answers again; waiting for room in the transfer queue") : Optional.empty();
    }

    /** Takes {@code id} out (a cancel, or a lease this node lost): true when it was waiting here. */
    synchronized boolean remove(String id) {
        for (Iterator<Outage> it = outages.values().iterator(); it.hasNext(); ) {
            Outage o = it.next();
            if (o.waiting.remove(id) != null) {
                return true;
            }
        }
        return returning.remove(id) != null;
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
        try {
            FtpSession s = pool.borrowIfRoom(o.profile);
            if (s != null) {
                pool.release(s);
            }
        } catch (ServerUnreachableException e) {
            still = e;
        } catch (IOException | RuntimeException e) {
            // It answered (a refused login, too many connections): the transfers meet that answer themselves.
        }
        List<Waiting> back = new ArrayList<>();
        List<Waiting> waitedOut = new ArrayList<>();
        synchronized (this) {
            if (still != null) {
                o.probes++;
                o.cause = still.getMessage();
                long now = nanoTime.getAsLong();
                for (Iterator<Waiting> it = o.waiting.values().iterator(); it.hasNext(); ) {
                    Waiting w = it.next();
                    if (now - w.since >= o.wait.toNanos()) {
                        waitedOut.add(w);
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
                for (Waiting w : back) {
                    returning.put(w.request.id(), w);
                }
            }
        }
        for (Waiting w : waitedOut) {
            long waited = (nanoTime.getAsLong() - w.since) / 1_000_000_000L;
            ends.waitedOut(w.request, still.getMessage() + " (the server could not be reached for " + waited
                    + " s (outage-wait is " + o.wait.toSeconds() + " s))");
        }
        if (!back.isEmpty()) {
            LOG.info("server {} answers again: {} transfer(s) waiting for it go back to the queue", o.name,
                    back.size());
            sendBack();
        }
    }

    /** Offers the returning transfers to the queue in the order they came, until it has no room. */
    private void sendBack() {
        Predicate<TransferRequest> to = resend;
        while (!closed && to != null) {
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
                taken = to.test(next.request);
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

    private record Waiting(TransferRequest request, long since, Instant sinceWall) {
    }
}
