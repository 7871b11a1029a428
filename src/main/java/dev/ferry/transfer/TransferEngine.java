package dev.ferry.transfer;

import dev.ferry.DaemonThreads;
import dev.ferry.ftp.CapabilityProbe;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ledger.Claim;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.ledger.UnitOfWork;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.Listeners;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.source.SourceState;
import dev.ferry.transfer.DownloadPlanner.Planned;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a transfer's lifecycle: claim ({@link #claims}) → {@link #accept} (or refuse) → {@link #plan} →
 * {@link #runSegment} for each segment → {@link #publish}, or a fresh start when the source changed
 * ({@link #publishOrRestart}), or the failure recorded once, the first real one winning ({@link FirstFailure}). The
 * Camel steps, the web API, recovery and the command line ({@link #run}) only adapt to it. A batch's unit of work
 * ({@link UnitOfWork}) is handed in by the caller that opened it. Sessions come from the {@link SessionPool}, durable
 * state from the ledger.
 */
public final class TransferEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransferEngine.class);
    /** Uploads up to this size (and every file of a batch) are checked by SHA-256 as well before publishing. */
    private static final long HASHED_MAX = 1L << 20;

    private final JdbcLedger ledger;
    private final ServerProfiles profiles;
    private final SessionPool pool;
    private final Listeners listeners = new Listeners();
    private final TransferOptions defaults;
    private final DownloadPlanner downloadPlanner;
    private final UploadPlanner uploadPlanner;
    private final DownloadPublisher downloadPublisher;
    private final UploadPublisher uploadPublisher;
    private final SegmentRunner runner;
    private final Map<String, LiveTransfer> active = new ConcurrentHashMap<>();
    /** Adaptive lanes of transfers the Camel split runs, until their last lane ends. */
    private final Map<LiveTransfer, SplitLanes> split = new ConcurrentHashMap<>();
    private final Claims claims = new Claims();
    private final Restarts restarts = new Restarts();
    private final ServerWaits waits;
    /** {@code ferry.segments.max}'s default, also the command line's connection cap when no --segments is given. */
    public static final int DEFAULT_SEGMENTS_MAX = AdaptiveWidth.DEFAULT_CEILING;
    private volatile int segmentsMax = DEFAULT_SEGMENTS_MAX;
    private final ExecutorService segmentThreads = Executors.newCachedThreadPool(DaemonThreads.named("ferry-segment"));
    private final ExecutorService transferThreads =
            Executors.newCachedThreadPool(DaemonThreads.named("ferry-transfer"));
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-progress"));

    public TransferEngine(JdbcLedger ledger, ServerProfiles profiles, TransferOptions defaults,
                          Duration progressInterval) {
        this(ledger, new SessionPool(new CapabilityProbe()), profiles, defaults, progressInterval);
    }

    /**
     * An engine on a session pool made before it (which it then owns and closes): the command line logs in while
     * the ledger opens.
     */
    public TransferEngine(JdbcLedger ledger, SessionPool pool, ServerProfiles profiles, TransferOptions defaults,
                          Duration progressInterval) {
        this.ledger = ledger;
        this.profiles = profiles;
        this.defaults = defaults.over(TransferOptions.DEFAULTS);
        this.pool = pool;
        StalledWrites stalls = new StalledWrites();
        UploadMover uploadMover = new UploadMover(listeners, pool, stalls);
        this.downloadPlanner = new DownloadPlanner(pool, ledger);
        this.uploadPlanner = new UploadPlanner(pool, ledger, uploadMover);
        this.downloadPublisher = new DownloadPublisher(pool, ledger);
        this.uploadPublisher = new UploadPublisher(pool, ledger);
        this.runner = new SegmentRunner(pool, listeners, uploadMover);
        this.waits = new ServerWaits(pool, System::nanoTime);
        long every = Math.max(100, progressInterval.toMillis());
        long sampleEvery = Math.min(every, 500);
        ticker.scheduleAtFixedRate(() -> active.values().forEach(LiveTransfer::sample),
                sampleEvery, sampleEvery, TimeUnit.MILLISECONDS);
        ticker.scheduleAtFixedRate(() -> active.values().forEach(listeners::progress),
                every, every, TimeUnit.MILLISECONDS);
        ticker.scheduleAtFixedRate(stalls::check, 500, 500, TimeUnit.MILLISECONDS);
        // Leases: renewed every lease / 3; transfers whose lease could not be renewed in time stop here (another
        // node takes them), without recording an end.
        ticker.scheduleAtFixedRate(ledger.leases()::tick, 0, 500, TimeUnit.MILLISECONDS);
        // A transfer waiting for its server here is simply let go: the node that took it runs it.
        ledger.leases().whenLost(ids -> ids.forEach(id -> {
            if (!waits.forget(id)) {
                cancel(id);
            }
        }));
    }

    /**
     * Most connections one transfer may grow to when its request does not fix its segments ({@code ferry.segments.max});
     * each server's connection cap limits it further.
     */
    public TransferEngine segmentsMax(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("ferry.segments.max must be at least 1, found " + n);
        }
        segmentsMax = n;
        return this;
    }

    public TransferEngine addListener(TransferListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Every listener as one, for the events of what runs on this engine above a transfer (a tree, its parent). */
    public TransferListener events() {
        return listeners;
    }

    /**
     * What a listing just said of the source of download {@code requestId} (its size, and its time when exact, else
     * -1), so planning it asks the server less: one round trip fewer per file of a tree, two where the listing was
     * MLSD. Null forgets it. Verification is unchanged: publishing compares a fresh stat with what was planned.
     */
    public void listed(String requestId, dev.ferry.ftp.RemoteFile file) {
        downloadPlanner.listed(requestId, file);
    }

    /**
     * A listing of its remote folder, taken just before, had no entry of upload {@code requestId}'s final name: its
     * planning skips the look (MLST or SIZE) that fileExist Fail and Ignore need, one round trip fewer per file of a
     * tree. False forgets it. The look was never atomic with the rename either; publishing is unchanged.
     */
    public void listedFree(String requestId, boolean free) {
        uploadPlanner.listedFree(requestId, free);
    }

    public JdbcLedger ledger() {
        return ledger;
    }

    public ServerProfiles profiles() {
        return profiles;
    }

    public SessionPool pool() {
        return pool;
    }

    /** The transfers a caller in this process works on now: a second request for one waits or is refused. */
    public Claims claims() {
        return claims;
    }

    /**
     * For a caller that waited for another's claim on the transfer ({@link Claims#claim} returned true): the result
     * when that caller published it meanwhile, so it is not moved again; empty when it is still to do.
     */
    public java.util.Optional<TransferResult> publishedMeanwhile(TransferRequest request) {
        String id = request.id();
        java.util.Optional<TransferRecord> record = ledger.find(id);
        if (record.isEmpty() || record.get().status() != TransferStatus.PUBLISHED) {
            return java.util.Optional.empty();
        }
        TransferRecord r = record.get();
        LOG.info("{} was published by another request while this one waited; nothing to move", id);
        return java.util.Optional.of(TransferResult.publishedEarlier(id,
                request.direction() == Direction.DOWNLOAD ? r.localPath() : r.remotePath(), r.size(),
                "already published"));
    }

    /**
     * The same download asked for again after it was published, answered as done without moving anything: under
     * fileExist Fail or Ignore, while its local file is untouched since the publish (its size and time as published,
     * and no change since — a change time, unlike a modification time, no one can put back) and the server's file has
     * its size and time as then. Run again, it met its own download, failed "already exists", and its FAILED replaced
     * the first request's PUBLISHED (their transfer ids are the same). Empty whenever any of it is not so, or cannot
     * be told: the request then runs, and says what stands in its way.
     */
    public java.util.Optional<TransferResult> publishedAlready(TransferRequest request) {
        if (request.direction() != Direction.DOWNLOAD) {
            return java.util.Optional.empty();
        }
        TransferRequest checked;
        try {
            checked = check(request);
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
        return publishedAlready(checked, ledger.find(checked.id()));
    }

    /** {@link #publishedAlready(TransferRequest)} of a request already {@link #check checked}, on its ledger row. */
    public java.util.Optional<TransferResult> publishedAlready(TransferRequest checked,
                                                               java.util.Optional<TransferRecord> row) {
        if (checked.direction() != Direction.DOWNLOAD) {
            return java.util.Optional.empty();
        }
        dev.ferry.plan.FileExist mode = checked.options().over(defaults).fileExist();
        if (mode != dev.ferry.plan.FileExist.FAIL && mode != dev.ferry.plan.FileExist.IGNORE) {
            return java.util.Optional.empty();
        }
        if (row.isEmpty() || row.get().status() != TransferStatus.PUBLISHED) {
            return java.util.Optional.empty();
        }
        TransferRecord r = row.get();
        java.nio.file.Path local = java.nio.file.Path.of(r.localPath());
        try {
            // The rename that published it came before its row said so; any write, rename or touch since is later.
            if (!stillAsPublished(r) || dev.ferry.source.SourceState.placedAfter(local, r.updated())
                    || !remoteStillAsPublished(checked, r.size(), r.sourceMtime())) {
                return java.util.Optional.empty();
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        LOG.info("{} was published at {}, and {} and the server's file are as they were then; nothing to move (to"
                + " fetch it again, remove it or ask with fileExist Override)", r.id(), r.updated(), r.localPath());
        return java.util.Optional.of(TransferResult.publishedEarlier(r.id(), r.localPath(), r.size(),
                "already published at " + r.updated() + " (the file there is that download)"));
    }

    /** The file at a transfer's local path has the size and modification time it had when it was published. */
    public static boolean stillAsPublished(TransferRecord published) {
        try {
            java.nio.file.Path file = java.nio.file.Path.of(published.localPath());
            return java.nio.file.Files.size(file) == published.size()
                    && java.nio.file.Files.getLastModifiedTime(file).toMillis() == published.sourceMtime();
        } catch (IOException e) {
            return false;
        }
    }

    private boolean remoteStillAsPublished(TransferRequest request, long size, long mtime) {
        dev.ferry.ftp.FtpSession session = null;
        try {
            session = pool.borrow(profiles.get(request.server()));
            dev.ferry.ftp.RemoteFile now = session.stat(request.remotePath());
            return mtime > 0 && new dev.ferry.plan.Fingerprint(size, mtime).sameSourceAs(now.size(), now.mtime());
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            if (session != null) {
                pool.release(session);
            }
        }
    }

    /** Transfers planned and not yet published, failed or cancelled. */
    public Collection<? extends TransferView> active() {
        return active.values();
    }

    /**
     * Checks a request and records it in the ledger, after which it is never forgotten: a crash before it
     * finishes means it resumes at the next start. Listeners hear of it once per start: not again when a request
     * accepted already is passed on (the queue's route to the pipeline's) or resumed.
     */
    public TransferRequest accept(TransferRequest request) {
        TransferRequest checked = check(request);
        TransferRecord record = TransferRecord.accepted(checked.id(), checked.direction(), checked.server(),
                checked.remotePath(), checked.localPath(), Requests.toJson(checked), checked.tree());
        if (ledger.accept(record)) {
            listeners.accepted(new AcceptedView(checked));
        }
        return checked;
    }

    /**
     * {@link #accept}, for a caller that looked at the transfer's row ({@code seen}) to decide it must run: empty, and
     * nothing recorded, when the row was published since that look (another run of the same request ended
     * meanwhile); the caller looks again.
     */
    public java.util.Optional<TransferRequest> acceptAsSeen(TransferRequest request,
                                                            java.util.Optional<TransferRecord> seen) {
        TransferRequest checked = check(request);
        TransferRecord record = TransferRecord.accepted(checked.id(), checked.direction(), checked.server(),
                checked.remotePath(), checked.localPath(), Requests.toJson(checked), checked.tree());
        JdbcLedger.Acceptance outcome = ledger.acceptAsSeen(record, seen);
        if (outcome == JdbcLedger.Acceptance.PUBLISHED_SINCE_SEEN) {
            return java.util.Optional.empty();
        }
        if (outcome == JdbcLedger.Acceptance.OPENED) {
            listeners.accepted(new AcceptedView(checked));
        }
        return java.util.Optional.of(checked);
    }

    /**
     * The request as {@link #accept} records it (known server, safe and absolute paths, hence its final id), without
     * recording it: for a caller that must know the id first. Checking a checked request changes nothing.
     *
     * @throws IllegalArgumentException naming what is wrong with the request
     */
    public TransferRequest check(TransferRequest request) {
        profiles.get(request.server());
        String remote = PathGuard.remoteAbsolute(request.remotePath());
        java.nio.file.Path local = java.nio.file.Path.of(request.localPath()).toAbsolutePath().normalize();
        String published = request.direction() == Direction.DOWNLOAD
                ? String.valueOf(local.getFileName()) : PathGuard.remoteName(remote);
        int bytes = published.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (request.direction() == Direction.DOWNLOAD && bytes > PartFiles.MAX_NAME_BYTES) {
            // Found only at the publish, after the whole file came down, with a part file left and advice to resume
            throw new IllegalArgumentException("the local name " + dev.ferry.Printable.of(published) + " is " + bytes
                    + " bytes long; a file name may have at most " + PartFiles.MAX_NAME_BYTES
                    + ": choose a shorter localPath");
        }
        if (request.direction() == Direction.DOWNLOAD) {
            requireLocalPathFits(local);
        }
        if (PartFiles.isWorkName(published)) {
            throw new IllegalArgumentException("the name " + dev.ferry.Printable.of(published) + " has the form of a"
                    + " part file Ferry writes while it transfers (.<name>.ferry-<id>.part); a file is not published"
                    + " under it, so another transfer's part file cannot be replaced: choose another name");
        }
        return new TransferRequest(request.direction(), request.server(), remote, local.toString(),
                request.options(), request.tree(), request.followLinks(), request.sourceRoot());
    }

    /** Linux's limits on a path (PATH_MAX, with its NUL) and on a name in it (NAME_MAX). */
    private static final int PATH_MAX_BYTES = 4095;

    /**
     * A local path the file system cannot hold is refused before anything is made: found at the mkdir, it left the
     * folders made up to there behind, and its advice ("make it writable") could never help.
     */
    private static void requireLocalPathFits(java.nio.file.Path local) {
        // The part file beside it has the longer name.
        int bytes = Math.max(local.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                PartFiles.legacyLocalPart(local, "d-0000000000000000").toString()
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        if (bytes > PATH_MAX_BYTES) {
            throw new IllegalArgumentException("the local path " + dev.ferry.Printable.of(abbreviated(local)) + " is "
                    + bytes + " bytes long; a path may have at most " + PATH_MAX_BYTES + ": choose a shorter localPath");
        }
        for (java.nio.file.Path name : local) {
            int n = name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (n > PartFiles.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("the folder name " + dev.ferry.Printable.of(abbreviated(name))
                        + " in the local path is " + n + " bytes long; a name may have at most "
                        + PartFiles.MAX_NAME_BYTES + ": choose a shorter localPath");
            }
        }
    }

    private static String abbreviated(java.nio.file.Path p) {
        String s = p.toString();
        return s.length() <= 120 ? s : s.substring(0, 60) + "…" + s.substring(s.length() - 50);
    }

    /** Step 1: fingerprint, resume or fresh plan, part file. The segments to run are in the returned view. */
    public LiveTransfer plan(TransferRequest request) throws TransferFailedException {
        return plan(request, UnitOfWork.IMMEDIATE, null);
    }

    /**
     * {@link #plan(TransferRequest)}; with a {@code comeback}, for a transfer something can send again (the service's
     * queue, a request file's inbox), a server that cannot be reached is not waited for on this thread, here or in
     * its segments and publishing: the transfer waits in {@link #serverWaits()}, unfinished, and this throws a
     * {@link TransferFailedException} whose cause is a {@link ServerAwayException} (nothing recorded, nothing failed).
     */
    public LiveTransfer plan(TransferRequest request, ServerWaits.Comeback comeback) throws TransferFailedException {
        return plan(request, UnitOfWork.IMMEDIATE, comeback);
    }

    /** Transfers waiting for a server that cannot be reached, without a thread. */
    public ServerWaits serverWaits() {
        return waits;
    }

    private LiveTransfer plan(TransferRequest request, UnitOfWork unit, ServerWaits.Comeback comeback)
            throws TransferFailedException {
        LiveTransfer running = active.get(request.id());
        if (running != null) {
            return running;
        }
        try {
            ServerProfile profile = profiles.get(request.server());
            // A profile that waits for no outage never steps aside: an unreachable server is an ordinary attempt.
            boolean stepAside = waits.open(comeback) && !profile.outageWait().isZero();
            if (stepAside && waits.isAway(profile.name())) {
                // Known to be away: no connect (each may cost its timeout) until the server's probe finds it back.
                throw stepAside(request, profile, null, comeback);
            }
            TransferOptions options = request.options().over(defaults);
            if (unit.deferred()) {
                // Segment threads would write through connections of their own, which cannot see the rows of a
                // transfer created in this thread's uncommitted scope: one segment, on this thread.
                options = options.withSegments(1);
            }
            String restartedBecause = restarts.take(request);
            Planned planned;
            try {
                planned = planWithRetries(request, options, profile,
                        stepAside ? e -> stepAside(request, profile, e, comeback) : null);
            } catch (ServerAwayException e) {
                if (restartedBecause != null) {
                    restarts.pending(request.id(), restartedBecause); // still to be said when it runs
                }
                throw e;
            }
            LiveTransfer t = planned.transfer();
            if (stepAside) {
                waits.reached(request.id());
                t.stepAside = e -> stepAside(request, profile, e, comeback);
            }
            if (t.direction() == Direction.UPLOAD) {
                // As first seen, before the first bytes went out (a parallel upload's prime): a rewrite that put
                // the modification time back while they went was not seen by a later look's change time.
                t.sentSource = SourceState.of(t.workFile, t.size <= HASHED_MAX || unit.deferred())
                        .as(t.size, t.sourceMtime).seenFirstAs(t.firstSeen);
            }
            active.put(t.id(), t);
            if (restartedBecause != null) {
                listeners.restarted(t, restartedBecause);
            } else {
                listeners.transferStart(t);
                if (planned.restartWhy() != null) {
                    listeners.restarted(t, planned.restartWhy());
                }
            }
            if (t.bytesAtStart() > 0 && t.firstResume()) {
                listeners.resumed(t, t.bytesAtStart());
            }
            return t;
        } catch (IOException | RuntimeException e) {
            throw failed(request, null, e, unit);
        }
    }

    /** Planning talks to the server too: a cut connection there is retried like one in a segment. */
    private Planned planWithRetries(TransferRequest request, TransferOptions options, ServerProfile profile,
                                    Retries.StepAside stepAside) throws IOException {
        return Retries.call(request.id(), "planning", options.maxAttempts(), profile.outageWait(),
                (e, delay, next, of) -> listeners.stepRetry(new AcceptedView(request), "planning", e, delay, next, of),
                stepAside, () -> request.direction() == Direction.DOWNLOAD
                        ? downloadPlanner.plan(request, options, profile)
                        : uploadPlanner.plan(request, options, profile));
    }

    /**
     * Puts the transfer in {@link #waits} and says so (a person sees at once why it does not move); or, when its own
     * wait ran out, the failure it ends with, as it did waiting on its thread.
     */
    private IOException stepAside(TransferRequest request, ServerProfile profile, IOException cause,
                                  ServerWaits.Comeback comeback) {
        ServerWaits.Parked parked = waits.park(request, profile, cause, comeback);
        if (parked.waitedOut()) {
            return new dev.ferry.ftp.FtpException(parked.why(), 0, false, cause);
        }
        listeners.stepRetry(new AcceptedView(request), "planning", cause != null ? cause
                : new dev.ferry.ftp.ServerUnreachableException(parked.why(), null), Attempts.outageBackoff(1), 2, 0);
        return new ServerAwayException(request.id(), parked.why());
    }

    /**
     * Step 2, once per planned segment that is not done yet (in parallel): moves it, then steals work until none is
     * left. A transfer whose width is not fixed adapts here as in {@link #run}: the plan's segments are its first
     * lanes, and connections are added or retired beside them; the last planned segment to end returns only after the
     * added ones have.
     */
    public void runSegment(LiveTransfer t, int index) throws TransferFailedException {
        SplitLanes split = splitLanes(t);
        if (split == null) {
            runSegment(t, t.segment(index), null, null, UnitOfWork.IMMEDIATE);
            return;
        }
        try {
            split.run(index, AdaptiveLanes::runPlanned);
        } finally {
            if (split.ended()) {
                this.split.remove(t, split);
            }
        }
    }

    /** The lanes of a transfer whose segments arrive one by one (the Camel split), made by the first; null: fixed. */
    private SplitLanes splitLanes(LiveTransfer t) {
        SplitLanes known = split.get(t);
        if (known != null) {
            return known;
        }
        synchronized (split) {
            known = split.get(t);
            if (known != null || active.get(t.id()) != t) {
                // Lanes already made, or the transfer ended (a failure): a late segment fails fast on its own.
                return known;
            }
            // The first segment to arrive: none has ended yet, so the unfinished ones are those the split will run.
            int planned = (int) t.segments().stream().filter(s -> !s.done()).count();
            if (!AdaptiveLanes.applies(t, planned)) {
                return null;
            }
            SplitLanes lanes = new SplitLanes(t, planned, futures -> new AdaptiveLanes(t, pool,
                    AdaptiveWidth.withCeiling(segmentsMax),
                    (first, session, lane) -> runSegment(t, first, session, lane, UnitOfWork.IMMEDIATE),
                    segmentThreads, futures).until(() -> active.get(t.id()) != t),
                    segmentThreads, e -> failed(t.request, t, e, UnitOfWork.IMMEDIATE));
            split.put(t, lanes);
            return lanes;
        }
    }

    private void runSegment(LiveTransfer t, LiveSegment first, dev.ferry.ftp.FtpSession session,
                            AdaptiveLanes.Lane lane, UnitOfWork unit) throws TransferFailedException {
        try {
            runner.run(t, first, session, lane);
        } catch (IOException | RuntimeException e) {
            // Record the failure with its own reason before stopping the others: cancelling first would make it
            // look like a cancel. The first failure ends the transfer: the other segments stop at their next buffer.
            TransferFailedException failure = failed(t.request, t, e, unit);
            t.cancel();
            throw failure;
        }
    }

    /** Step 3: verify and publish under the final name. */
    public TransferResult publish(LiveTransfer t) throws TransferFailedException {
        return publish(t, UnitOfWork.IMMEDIATE);
    }

    private TransferResult publish(LiveTransfer t, UnitOfWork unit) throws TransferFailedException {
        try {
            // A cancel that arrives after the last byte still wins: the person asked for it to stop.
            t.checkNotCancelled();
            // The file appears under its final name only while this node owns the transfer.
            ledger.confirmClaim(t.id());
            TransferResult result = Retries.call(t.id(), "publishing", t.options.maxAttempts(),
                    t.profile.outageWait(),
                    (e, delay, next, of) -> listeners.stepRetry(t, "publishing", e, delay, next, of), t.stepAside,
                    () -> t.direction() == Direction.DOWNLOAD ? downloadPublisher.publish(t) : uploadPublisher.publish(t));
            listeners.verified(t, result.verification());
            listeners.published(t, result.published());
            listeners.transferEnd(t);
            active.remove(t.id());
            split.remove(t);
            return result;
        } catch (IOException | RuntimeException e) {
            throw failed(t.request, t, e, unit);
        }
    }

    /** The whole transfer on this thread (segments on the engine's threads); the command line's entry point. */
    public TransferResult run(TransferRequest request) throws TransferFailedException {
        return runAccepted(accept(request));
    }

    /** {@link #run} for a request {@link #accept} has already recorded (and returned). */
    public TransferResult runAccepted(TransferRequest accepted) throws TransferFailedException {
        return runAccepted(accepted, UnitOfWork.IMMEDIATE);
    }

    /**
     * {@link #runAccepted(TransferRequest)} inside {@code unit}: a deferred unit (a batch's one commit) plans one
     * segment, run on this thread, since other threads' connections cannot see the unit's uncommitted rows.
     */
    public TransferResult runAccepted(TransferRequest accepted, UnitOfWork unit) throws TransferFailedException {
        return withRestarts(accepted, unit, () -> runOnce(accepted, unit));
    }

    /**
     * The end of a transfer whose segments ran elsewhere (the Camel split): publishes it, or throws the segments'
     * failure ({@code segmentsFailure}, null if none); a source that changed meanwhile starts it over here, as
     * {@link #runAccepted} would.
     */
    public TransferResult publishOrRestart(TransferRequest accepted, LiveTransfer t,
                                           TransferFailedException segmentsFailure) throws TransferFailedException {
        SplitLanes lanes = t == null ? null : split.remove(t);
        if (lanes != null) {
            lanes.settle(segmentsFailure != null);
        }
        return withRestarts(accepted, UnitOfWork.IMMEDIATE, () -> {
            if (segmentsFailure != null) {
                throw segmentsFailure;
            }
            return publish(t);
        });
    }

    /** Every path to the end of a transfer goes through here, so a changed source gets the same restarts on all. */
    private TransferResult withRestarts(TransferRequest accepted, UnitOfWork unit, Restarts.Run first)
            throws TransferFailedException {
        return restarts.run(accepted, first, () -> runOnce(accepted, unit), (last, n) -> {
            ledger.status(accepted.id(), TransferStatus.FAILED, last.getMessage() + " (after " + n
                    + " fresh starts; the source keeps changing)");
            listeners.transferFailed(new AcceptedView(accepted), last.getMessage());
        });
    }

    private TransferResult runOnce(TransferRequest accepted, UnitOfWork unit) throws TransferFailedException {
        LiveTransfer t = plan(accepted, unit, null);
        runSegments(t, unit);
        if (t.cancelled()) {
            // Cancelled after the last byte moved: a cancel that was accepted must not publish.
            throw failed(accepted, t, new CancelledException(t.id()), unit);
        }
        return publish(t, unit);
    }

    /** Runs {@link #run} on the engine's transfer threads. */
    public CompletableFuture<TransferResult> submit(TransferRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run(request);
            } catch (TransferFailedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, transferThreads);
    }

    private void runSegments(LiveTransfer t, UnitOfWork unit) throws TransferFailedException {
        List<TransferView.SegmentView> toRun = t.segments().stream().filter(s -> !s.done()).toList();
        if (toRun.size() == 1) {
            // One segment (every small file): on this thread, where another would only add a hand-over per file.
            // It still steals from nobody and fails like the parallel case: recorded, then thrown.
            runSegment(t, t.segment(toRun.get(0).index()), null, null, unit);
            return;
        }
        List<Future<?>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AdaptiveLanes lanes = AdaptiveLanes.applies(t, toRun.size())
                ? new AdaptiveLanes(t, pool, AdaptiveWidth.withCeiling(segmentsMax),
                        (first, session, lane) -> runSegment(t, first, session, lane, unit), segmentThreads, futures)
                : null;
        for (TransferView.SegmentView s : toRun) {
            futures.add(segmentThreads.submit(() -> {
                if (lanes != null) {
                    lanes.runPlanned(s.index());
                } else {
                    runSegment(t, t.segment(s.index()), null, null, unit);
                }
                return null;
            }));
        }
        if (lanes != null) {
            // Opens and retires connections while they run; an interrupt is seen by the first get below.
            lanes.steer();
        }
        FirstFailure<TransferFailedException> first = new FirstFailure<>();
        // Lanes the controller opened are appended after the planned ones, with no planned segment of their own.
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TransferFailedException tf) {
                    first.offer(i < toRun.size() ? toRun.get(i).index() : -1, tf);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                t.cancel();
                throw failed(t.request, t, new CancelledException(t.id()), unit);
            }
        }
        if (first.get() != null) {
            // The segments the first failure stopped report a cancel or a closed file: the recorded one is the reason.
            throw t.firstFailure() != null ? t.firstFailure() : first.get();
        }
    }

    /** Stops a running transfer; its segments stay in the ledger, so running it again resumes it. */
    public boolean cancel(String id) {
        LiveTransfer t = active.get(id);
        if (t == null) {
            return cancelWaiting(id);
        }
        t.cancel();
        return true;
    }

    /**
     * For a queued run that ended without this engine recording anything (a ledger call that did not answer, before
     * or at its plan): the transfer is unfinished and this node's lease on it was still renewed, so the claim loop,
     * which leaves held transfers alone, never ran it again, and a resume was refused as running here. Let go, it is
     * claimed and run again by the claim loop once the ledger answers. Nothing is done while it runs or waits here.
     */
    public void letGo(String id) {
        if (active.containsKey(id) || waits.isWaiting(id) || !claims.tryClaim(id)) {
            return;
        }
        try {
            if (ledger.leases().holds(id)) {
                ledger.leases().released(id);
                LOG.warn("{}: its queued run ended before it could start; it runs again once the ledger answers", id);
            }
        } finally {
            claims.release(id);
        }
    }

    /**
     * A run whose Camel exchange failed for a reason the engine never saw (a ledger call of the segment route's
     * idempotent consumer, the database away for a moment): nothing is recorded, as at a stop of the process, and the
     * run ends here, its segments' offsets in the ledger for the next run. Left among the running transfers it was
     * shown as running here for ever, at 0 % every two seconds, and {@link #letGo} and the claim loop both leave a
     * running transfer alone, so with its lease renewed no node ever ran it. Nothing is done for a run the engine
     * ended itself (published, failed, stopped).
     */
    public void stopUnended(LiveTransfer t, Throwable cause) {
        if (!active.remove(t.id(), t)) {
            return;
        }
        letGoOfRun(t);
        listeners.transferStopped(t, "its run failed outside the engine (" + (cause == null ? "no reason given"
                : cause.getMessage()) + "); it runs again from the ledger");
    }

    /** A transfer waiting for its server ({@link #waits}) is cancelled at once: it holds nothing to stop. */
    private boolean cancelWaiting(String id) {
        if (!claims.tryClaim(id)) {
            return false;
        }
        try {
            if (!waits.forget(id)) {
                return false;
            }
            TransferRecord r = ledger.find(id).orElse(null);
            ledger.status(id, TransferStatus.CANCELLED, "cancelled");
            if (r != null) {
                try {
                    listeners.transferCancelled(new AcceptedView(Requests.fromJson(r.request())));
                } catch (IllegalArgumentException ignored) {
                    // Its stored request cannot be read: the ledger's row says it all.
                }
            }
            return true;
        } finally {
            claims.release(id);
        }
    }

    /** Whether {@code id} runs in this process and was asked to stop ({@link #cancel}): it does at its next buffer. */
    public boolean cancelling(String id) {
        LiveTransfer t = active.get(id);
        return t != null && t.cancelled();
    }

    /**
     * Gives up a cancelled or failed transfer for good: its partial copy (the server's temporary file for an
     * upload, the local part file for a download) is removed and the ledger records it FAILED with {@code reason}.
     * The source is not touched.
     *
     * @throws IOException when the partial copy cannot be removed now (nothing changed; try again)
     * @throws IllegalStateException when the transfer is unknown, running, or not cancelled or failed
     */
    public void discard(String id, String reason) throws IOException {
        TransferRecord r = ledger.find(id).orElseThrow(() -> new IllegalStateException("no transfer " + id));
        if (active.containsKey(id) || (r.status() != TransferStatus.CANCELLED && r.status() != TransferStatus.FAILED)) {
            throw new IllegalStateException("transfer " + id + " is " + r.status() + "; only a cancelled or failed"
                    + " transfer can be given up");
        }
        // The fenced write this ends with, tried before anything is deleted: a node that may not write the row (it
        // is another node's) must not remove that node's partial copy and then fail to record it.
        ledger.status(id, r.status(), r.reason());
        if (r.direction() == Direction.UPLOAD) {
            dev.ferry.ftp.FtpSession session = pool.borrow(profiles.get(r.server()));
            try {
                session.delete(PartFiles.remotePart(r.remotePath(), id, ledger.instance()));
                session.delete(PartFiles.legacyRemotePart(r.remotePath(), id)); // one begun before the instance
                pool.release(session);
            } catch (IOException | RuntimeException e) {
                pool.discard(session);
                throw e;
            }
        } else {
            java.nio.file.Path local = java.nio.file.Path.of(r.localPath()).toAbsolutePath();
            java.nio.file.Files.deleteIfExists(PartFiles.localPart(local, id, ledger.instance()));
            java.nio.file.Files.deleteIfExists(PartFiles.legacyLocalPart(local, id)); // one begun before the instance
        }
        ledger.status(id, TransferStatus.FAILED, reason);
    }

    /**
     * One round of the claim loop (recovery at start-up, then takeover of dead nodes' work): every unfinished
     * transfer this node may run — its own, and other nodes' whose lease ran out — claimed, as requests to run again.
     * Transfers running here already are left alone.
     */
    public List<TransferRequest> claimUnfinished() {
        return claimUnfinished(id -> false);
    }

    /** {@link #claimUnfinished()}, except the transfers {@code leaveAlone} names: another node's to take. */
    public List<TransferRequest> claimUnfinished(java.util.function.Predicate<String> leaveAlone) {
        List<TransferRequest> requests = new ArrayList<>();
        for (Claim c : ledger.leases().claimUnfinished(id -> active.containsKey(id) || leaveAlone.test(id))) {
            TransferRecord r = ledger.find(c.transferId()).orElse(null);
            if (r == null) {
                continue;
            }
            try {
                requests.add(Requests.fromJson(r.request()));
            } catch (IllegalArgumentException e) {
                ledger.status(r.id(), TransferStatus.FAILED, "its stored request cannot be read: " + e.getMessage());
            }
        }
        return requests;
    }

    /** Records the end of a transfer that did not publish, once, and wraps the cause for the caller. */
    private TransferFailedException failed(TransferRequest request, LiveTransfer t, Throwable e, UnitOfWork unit) {
        String id = request.id();
        LiveTransfer live = t != null ? t : active.get(id);
        // Read before anything below: the part file's close makes the other segments fail, and each of them stops
        // the rest (runSegment), which would make this first failure look like a person's cancel.
        boolean cancelledBefore = live != null && live.cancelled();
        boolean firstReport = live == null || active.remove(id, live);
        if (live != null) {
            letGoOfRun(live);
        }
        TransferView view = live != null ? live : new AcceptedView(request);
        ServerAwayException away = away(e);
        if (away != null) {
            // Waiting for its server (ServerWaits), unfinished: nothing ended. A run that had started stops here, as
            // at a stop of the process; its segments' offsets are in the ledger, and the next run resumes them.
            if (firstReport && live != null) {
                listeners.transferStopped(view, away.getMessage());
            }
            return first(live, firstReport, new TransferFailedException(id, away.getMessage(), away));
        }
        waits.forget(id);
        LostLeaseException lost = LostLeaseException.in(e);
        if (lost == null && firstReport && !unit.deferred() && !ledger.leases().holds(id)) {
            // Stopped because this node gave its leases up (see Leases.tick): its claim is gone.
            lost = new LostLeaseException(id, "node " + ledger.leases().nodeId() + " could not renew its lease");
        }
        if (lost != null) {
            // Another node owns the transfer: record nothing and leave the files alone; only this run ends here.
            String why = lost.getMessage();
            if (firstReport) {
                listeners.transferStopped(view, why);
            }
            return first(live, firstReport, new TransferFailedException(id, why, lost));
        }
        if (interrupted(e) && !(e instanceof CancelledException) && !cancelledBefore) {
            // The process is stopping (its threads interrupted, e.g. one waiting for a connection): the transfer is
            // not over. Recorded as FAILED, recovery would never run it again; left as it is, it resumes at the next
            // start, as the transfers still moving bytes at the stop do.
            String why = "transfer " + id + " was interrupted (" + e.getMessage() + "); it resumes at the next start";
            if (firstReport) {
                listeners.transferStopped(view, why); // nothing recorded, as for a lost lease
            }
            return first(live, firstReport, new TransferFailedException(id, why, e));
        }
        if (e instanceof CancelledException || (cancelledBefore && !(e instanceof LocalFileException))) {
            if (firstReport) {
                ledger.status(id, TransferStatus.CANCELLED, "cancelled");
                listeners.transferCancelled(view);
            }
            return first(live, firstReport,
                    new TransferFailedException(id, "transfer " + id + " was cancelled", new CancelledException(id)));
        }
        String reason = reason(request, e);
        TransferFailedException failure = first(live, firstReport, new TransferFailedException(id, reason, e));
        if (firstReport && e instanceof SourceChangedException && live != null) {
            // The transfer goes on from the new version: its next plan reports restarted, not a new start.
            restarts.pending(id, e.getMessage());
            // The other segments stop before their rows go: a checkpoint of theirs would find none.
            live.cancel();
            // The moved segments are of the old version, even where size and time match (a hash, a writer, or a
            // download's bytes read again told): the next plan must start afresh, not resume them.
            ledger.start(id, live.size, live.sourceMtime, List.of());
        }
        if (firstReport && !(e instanceof SourceChangedException)) {
            restarts.forget(id);
            ledger.status(id, TransferStatus.FAILED, reason);
            removeEmptyPart(live);
            listeners.transferFailed(view, reason);
        }
        return failure;
    }

    /** A run's end in this process: its lanes forgotten, its part file's handle closed (the file stays). */
    private void letGoOfRun(LiveTransfer live) {
        split.remove(live);
        try {
            live.local.close();
        } catch (IOException ignored) {
            // The ledger and the part file are what matter.
        }
    }

    /**
     * The first report's outcome is the transfer's: the segments it stopped fail after it (a closed part file, a
     * cancel), and whoever waits for them all throws this one, not the lowest segment's.
     */
    private static TransferFailedException first(LiveTransfer live, boolean firstReport,
                                                 TransferFailedException outcome) {
        if (firstReport && live != null) {
            live.firstFailure(outcome);
        }
        return outcome;
    }

    /**
     * A download that failed before any byte of it was written (a 550 for a file it may not read) leaves nothing to
     * resume: its part file (sized to the file, all holes) would only lie in the folder, hidden, until a discard.
     */
    private void removeEmptyPart(LiveTransfer live) {
        if (live == null || live.direction() != Direction.DOWNLOAD || live.workFile == null
                || live.liveSegments().stream().anyMatch(s -> s.offset() > s.start)) {
            return;
        }
        try {
            java.nio.file.Files.deleteIfExists(live.workFile);
        } catch (IOException ignored) {
            // Found and removed by a discard, or resumed over by the next run.
        }
    }

    private static ServerAwayException away(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ServerAwayException a) {
                return a;
            }
        }
        return null;
    }

    /** An interrupt, not a timeout (SocketTimeoutException is an InterruptedIOException too). */
    private static boolean interrupted(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            // A file channel interrupted in its read or write closes and says so with its own exception.
            if (c instanceof InterruptedException || c instanceof java.nio.channels.ClosedByInterruptException
                    || (c instanceof java.io.InterruptedIOException && !(c instanceof java.net.SocketTimeoutException))) {
                return true;
            }
        }
        return false;
    }

    private static String reason(TransferRequest request, Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return (request.direction() == Direction.DOWNLOAD ? "download of " : "upload of ") + request + " failed: "
                + message;
    }

    @Override
    public void close() {
        waits.close();
        for (LiveTransfer t : active.values()) {
            t.cancel();
        }
        // The ticker's tick finishes (a few microseconds) rather than being interrupted: it hands lease renewals to
        // the ledger, whose writes must not see an interrupt (JdbcLedger's Leases.close).
        ticker.shutdown();
        segmentThreads.shutdownNow();
        transferThreads.shutdownNow();
        pool.close();
    }

}
