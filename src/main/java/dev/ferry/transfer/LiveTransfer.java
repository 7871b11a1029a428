package dev.ferry.transfer;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.ledger.Claim;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.Leases;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferView;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One planned transfer while it runs: its segments, the local file channel every segment writes or reads
 * positionally, and the counters listeners read. Work stealing and checkpoints both change segment ends in
 * the ledger, so both go through {@link #ledgerLock}: the ledger's end of a segment is never above the one in
 * memory, and a checkpoint is never recorded beyond the ledger's end.
 */
public final class LiveTransfer implements TransferView {
    final TransferRequest request;
    // Computed once: the id is a digest of the request, and every ledger write and log line asks for it.
    private final String id;
    final TransferOptions options;
    final ServerProfile profile;
    final Capabilities capabilities;
    final long size;
    final long sourceMtime;
    final FileChannel local;
    final Path localFile;
    /** Download: the hidden part file. Upload: the source. */
    final Path workFile;
    /** Download: the part file's folder as it really was at planning, which publishing requires it still is. */
    final Path workFolder;
    /** A download's part file's identity (device and inode) as it was opened, null where unknown. */
    final Object workFileKey;
    /** Upload: the remote temporary name. Download: the remote file. */
    final String remoteWork;
    final UploadStrategy strategy;
    final RateLimiter rateLimiter;
    /** When this run planned the transfer (monotonic): how long its final name has gone unasked. */
    final long plannedNanos = System.nanoTime();

    private final JdbcLedger ledger;
    /**
     * The claim this run was planned under, handed to every segment write: a segment thread of this run that writes
     * after this node claimed the transfer again (a new run) is refused. Null in a batch's scope (one node, no fence).
     */
    private final Claim claim;
    private final Object ledgerLock = new Object();
    private final List<LiveSegment> segments;
    /** Segments split off retired connections, not yet taken by another (guarded by ledgerLock). */
    private final List<LiveSegment> unclaimed = new ArrayList<>();
    private final AtomicInteger nextIndex;
    private final long bytesAtStart;
    private final AtomicLong bytesMoved = new AtomicLong();
    private final AtomicInteger retries = new AtomicInteger();
    private final RateMeter meter = new RateMeter();
    private final Set<Closeable> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;
    /** Upload: the temporary file may hold bytes of this transfer (a resumed plan, or a send already began). */
    volatile boolean serverHasOurBytes;
    /**
     * Why the file under the final name is kept as it is and nothing moves (fileExist Ignore, or it is this transfer's
     * own copy, published before a restart); null for a transfer that moves bytes. Publishing reports it.
     */
    volatile String kept;
    /**
     * RNFR/RNTO (upload) or the local rename (download) was tried in this run: a retried publish checks whether it
     * took effect.
     */
    volatile boolean renameSent;
    /**
     * The digest of the bytes one STOR sent (or one RETR wrote) from byte 0 to the end of a small file, in the
     * algorithm publishing checks against the server's hash; null when the transfer was large, resumed, parallel or
     * is still running (publishing then reads the file).
     */
    volatile String sentDigest;
    /** Upload: the local file as it was sent, which publishing requires it still is (null: size and time only). */
    volatile dev.ferry.source.SourceState sentSource;
    /**
     * Set when something can send this transfer again (the service's queue): a server out of reach is then not
     * waited for on the transfer's threads, it goes to {@link ServerWaits} instead. Null: waited for here.
     */
    volatile Retries.StepAside stepAside;
    /** Upload: the planner's first look at the local file, before a byte was sent (null: not taken). */
    volatile dev.ferry.source.SourceState firstSeen;
    /**
     * Upload to a server without a hash: the SHA-256 of the bytes this run's streams sent from byte 0 to the end of a
     * small file, which publishing compares with the source's; null otherwise.
     */
    volatile String sentSha256;
    /** Upload to a server without a hash: that SHA-256 after each write so far (one stream at a time), or null. */
    volatile SentSha256 sentSoFar;
    /** Upload: the range checks of the last stream from byte 0, or null (see {@link StreamCheck}). */
    volatile StreamCheck streamCheck;
    private volatile TransferFailedException firstFailure;
    /** What a victim keeps at least beyond its position when its tail is stolen: a few reads. */
    static final long STEAL_MARGIN = 256 * 1024;
    /** A victim that needs longer than this for its remaining bytes at its own rate is worth a small steal. */
    static final double END_GAME_SECONDS = 1.0;
    static final long END_GAME_MIN_STEAL = 128 * 1024;
    private final java.util.concurrent.atomic.AtomicBoolean resumeReported = new java.util.concurrent.atomic.AtomicBoolean();

    LiveTransfer(TransferRequest request, TransferOptions options, ServerProfile profile, Capabilities capabilities,
                 long size, long sourceMtime, FileChannel local, Path workFile, String remoteWork,
                 UploadStrategy strategy, JdbcLedger ledger, List<SegmentRecord> records) {
        this.request = request;
        this.id = request.id();
        this.options = options;
        this.profile = profile;
        this.capabilities = capabilities;
        this.size = size;
        this.sourceMtime = sourceMtime;
        this.local = local;
        this.localFile = Path.of(request.localPath());
        this.workFile = workFile;
        this.workFolder = request.direction() == Direction.DOWNLOAD ? LocalTarget.realFolderOf(workFile) : null;
        this.workFileKey = request.direction() == Direction.DOWNLOAD ? LocalTarget.fileKey(workFile) : null;
        this.remoteWork = remoteWork;
        this.strategy = strategy;
        this.ledger = ledger;
        this.claim = ledger.leases().claimOf(request.id()).orElse(null);
        this.rateLimiter = RateLimiter.of(options.rateLimit());
        List<LiveSegment> live = new ArrayList<>();
        int max = -1;
        long already = 0;
        for (SegmentRecord r : records) {
            live.add(new LiveSegment(r));
            max = Math.max(max, r.index());
            already += r.offset() - r.start();
        }
        this.segments = new CopyOnWriteArrayList<>(live);
        this.nextIndex = new AtomicInteger(max + 1);
        this.bytesAtStart = already;
    }

    LiveSegment segment(int index) {
        for (LiveSegment s : segments) {
            if (s.index == index) {
                return s;
            }
        }
        throw new IllegalArgumentException("transfer " + id() + " has no segment " + index);
    }

    List<LiveSegment> liveSegments() {
        return segments;
    }

    /** Records durable progress: the caller has forced the data (download) or has the server's 226 (upload). */
    void checkpoint(LiveSegment s, long offset) {
        synchronized (ledgerLock) {
            ledger.checkpoint(id(), claim, s.index, Math.min(offset, s.end()));
        }
    }

    void segmentDone(LiveSegment s) {
        synchronized (ledgerLock) {
            ledger.segmentDone(id(), claim, s.index);
            s.markDone();
        }
    }

    /**
     * Work stealing: the tail of the remaining segment that would finish last becomes a new segment for the
     * caller, or null when nothing left is worth a new request. The split follows the two connections' rates, so
     * both parts end at about the same time: a thief four times faster than its victim takes four fifths. Without
     * rates (a segment younger than its first samples) it takes half. The thief's part is at least
     * {@code minSteal} bytes, or less at the end of a slow victim (see {@link #endGame}).
     *
     * @param thiefRate bytes per second the caller's connection moved its last segment at, or -1 if unknown
     */
    LiveSegment steal(long minSteal, double thiefRate) {
        synchronized (ledgerLock) {
            if (!unclaimed.isEmpty()) {
                return unclaimed.remove(0);
            }
            while (!cancelled) {
                LiveSegment victim = null;
                double victimLeft = 0;
                for (LiveSegment s : segments) {
                    if (s.done() || s.remaining() <= 0) {
                        continue;
                    }
                    double left = secondsLeft(s, thiefRate);
                    if (victim == null || left > victimLeft) {
                        victim = s;
                        victimLeft = left;
                    }
                }
                if (victim == null) {
                    return null;
                }
                // Above what the victim's connection may already have on the wire, not its confirmed offset.
                long offset = victim.position();
                long oldEnd = victim.end();
                long remaining = oldEnd - offset;
                double victimRate = victim.rate();
                double keepShare = victimRate > 0 && thiefRate > 0 ? victimRate / (victimRate + thiefRate) : 0.5;
                // The victim keeps at least one read ahead of its position: it is moving while we decide.
                long keep = Math.max(STEAL_MARGIN, (long) (remaining * keepShare));
                // A slow thief takes no more than it can move before all connections together finish the rest:
                // the other fast connections will steal from the same victim, so the pair's split alone would
                // leave the slow thief with the transfer's last bytes.
                long most = mostForThief(thiefRate);
                keep = Math.max(keep, remaining - most);
                long newEnd = offset + keep;
                if (oldEnd - newEnd < minSteal && !endGame(victimRate, remaining, oldEnd - newEnd)) {
                    return null;
                }
                LiveSegment stolen = split(victim, newEnd);
                if (stolen != null) {
                    return stolen;
                }
                // The victim finished or moved past the split point in the meantime: look again.
            }
            return null;
        }
    }

    /** The part of {@code victim} above {@code newEnd} as a new segment, in memory and the ledger; null if refused. */
    private LiveSegment split(LiveSegment victim, long newEnd) {
        long oldEnd = victim.end();
        // Memory first, so the victim's connection stops at the new end from now on; the victim cannot
        // record itself done meanwhile (that takes ledgerLock), so a refused split is undone safely.
        if (!victim.shrinkTo(newEnd)) {
            return null;
        }
        SegmentRecord added = new SegmentRecord(nextIndex.getAndIncrement(), newEnd, oldEnd, newEnd, false);
        boolean split = false;
        try {
            split = ledger.split(id(), claim, victim.index, newEnd, added);
        } finally {
            if (!split) {
                victim.restoreEnd(oldEnd);
            }
        }
        if (!split) {
            return null;
        }
        LiveSegment part = new LiveSegment(added);
        segments.add(part);
        return part;
    }

    /**
     * A connection that is retired ({@link AdaptiveLanes}) stops a few reads above its position: the rest of its
     * segment becomes a segment of its own that the next connection to look for work takes whole, before any
     * steal. False when too little is left to be worth it (the connection then finishes its segment).
     */
    boolean retire(LiveSegment s, long minLeft) {
        synchronized (ledgerLock) {
            if (s.done() || cancelled) {
                return false;
            }
            long newEnd = s.position() + STEAL_MARGIN;
            if (s.end() - newEnd < minLeft) {
                return false;
            }
            LiveSegment rest = split(s, newEnd);
            if (rest == null) {
                return false;
            }
            unclaimed.add(rest);
            return true;
        }
    }

    /**
     * The segment of an added connection the server would not serve, whole as it is: the next connection to look for
     * work takes it before any steal. False when there is nothing to give (done, or the transfer cancelled).
     */
    boolean giveBack(LiveSegment s) {
        synchronized (ledgerLock) {
            if (s.done() || cancelled) {
                return false;
            }
            unclaimed.add(s);
            return true;
        }
    }

    /** A segment a retired connection left that no connection took: the transfer is not done while one is left. */
    LiveSegment takeUnclaimed() {
        synchronized (ledgerLock) {
            return unclaimed.isEmpty() ? null : unclaimed.remove(0);
        }
    }

    /**
     * Below {@code minSteal}, a tail is still worth a new request when its victim is slow: a connection at 512 KiB/s
     * with 1 MiB left would keep the whole transfer waiting two seconds for bytes a fast one moves in a fraction of
     * that. Only with a measured rate, and never for less than {@link #END_GAME_MIN_STEAL}.
     */
    private static boolean endGame(double victimRate, long remaining, long stolen) {
        return victimRate > 0 && remaining / victimRate > END_GAME_SECONDS && stolen >= END_GAME_MIN_STEAL;
    }

    /** Bytes the thief can move while all connections finish what is left, or unbounded if rates are unknown. */
    private long mostForThief(double thiefRate) {
        if (thiefRate <= 0) {
            return Long.MAX_VALUE;
        }
        long left = 0;
        double rates = thiefRate;
        for (LiveSegment s : segments) {
            if (!s.done()) {
                left += s.remaining();
                rates += Math.max(0, s.rate());
            }
        }
        return (long) (thiefRate * left / rates);
    }

    /** How long a segment still needs at its own rate (at the thief's, or 1 B/s, while its rate is unknown). */
    private static double secondsLeft(LiveSegment s, double thiefRate) {
        double rate = s.rate();
        if (rate <= 0) {
            rate = thiefRate > 0 ? thiefRate : 1;
        }
        return s.remaining() / Math.max(rate, 1);
    }

    void moved(long n) {
        bytesMoved.addAndGet(n);
    }

    void retried() {
        retries.incrementAndGet();
    }

    void sample() {
        meter.sample(bytesDone(), System.nanoTime());
    }

    /** Registers a data stream so that {@link #cancel()} can break a blocked read or write at once. */
    void inFlight(Closeable stream, boolean add) {
        if (add) {
            inFlight.add(stream);
        } else {
            inFlight.remove(stream);
        }
    }

    void cancel() {
        cancelled = true;
        for (Closeable c : inFlight) {
            try {
                c.close();
            } catch (IOException ignored) {
                // The worker sees the cancel flag and ends; the stream's state does not matter.
            }
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The failure that ended this transfer, as recorded in the ledger (the segments it stopped fail after it). */
    TransferFailedException firstFailure() {
        return firstFailure;
    }

    void firstFailure(TransferFailedException failure) {
        firstFailure = failure;
    }

    /** Before a write of this transfer's bytes: this node's claim must still stand ({@link Leases#fresh}). */
    void requireLeaseFresh() {
        if (!ledger.leases().fresh()) {
            throw new LostLeaseException(id(), "node " + ledger.leases().nodeId() + " could not renew its lease in"
                    + " time, so it writes nothing more");
        }
    }

    void checkNotCancelled() throws CancelledException {
        if (cancelled) {
            throw new CancelledException(id());
        }
    }

    /** True once: the first caller reports the resume, so listeners hear of it once per run. */
    boolean firstResume() {
        return resumeReported.compareAndSet(false, true);
    }

    long bytesAtStart() {
        return bytesAtStart;
    }

    /** Bytes this run moved beyond what was missing at its start: what cuts and steals cost. */
    long bytesResent() {
        return Math.max(0, bytesMoved() - (size - bytesAtStart));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Direction direction() {
        return request.direction();
    }

    @Override
    public String server() {
        return request.server();
    }

    @Override
    public String remotePath() {
        return request.remotePath();
    }

    @Override
    public String localPath() {
        return request.localPath();
    }

    @Override
    public String tree() {
        return request.tree();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long bytesDone() {
        long done = 0;
        for (LiveSegment s : segments) {
            done += Math.min(s.offset(), s.end()) - s.start;
        }
        return done;
    }

    @Override
    public long bytesMoved() {
        return bytesMoved.get();
    }

    @Override
    public double rate() {
        return meter.rate();
    }

    @Override
    public long etaSeconds() {
        double rate = rate();
        return rate <= 0 ? -1 : (long) Math.ceil((size - bytesDone()) / rate);
    }

    @Override
    public int retries() {
        return retries.get();
    }

    @Override
    public List<SegmentView> segments() {
        List<SegmentView> views = new ArrayList<>();
        for (LiveSegment s : segments) {
            SegmentRecord r = s.snapshot();
            views.add(new SegmentView(r.index(), r.start(), r.end(), r.offset(), r.done()));
        }
        return views;
    }

    @Override
    public String toString() {
        return id() + " " + request;
    }
}
