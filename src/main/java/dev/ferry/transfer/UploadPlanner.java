package dev.ferry.transfer;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.FileExist;
import dev.ferry.plan.Fingerprint;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.Units;
import dev.ferry.source.SourceState;
import dev.ferry.transfer.DownloadPlanner.Planned;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Plans an upload: remote directories, the strategy the server allows, and either the ledger's segments (same
 * source, temporary file still on the server) or a fresh plan.
 */
final class UploadPlanner {
    private static final int SETTLE_CHECKS = 20;
    private static final long SETTLE_PAUSE_MS = 100;
    private final SessionPool pool;
    private final JdbcLedger ledger;
    private final UploadMover mover;

    /** Uploads whose final name a tree's folder listing showed free, until their first planning takes it. */
    private final java.util.Set<String> listedFree = java.util.concurrent.ConcurrentHashMap.newKeySet();

    UploadPlanner(SessionPool pool, JdbcLedger ledger, UploadMover mover) {
        this.pool = pool;
        this.ledger = ledger;
        this.mover = mover;
    }

    /** See {@link TransferEngine#listedFree}: taken once, so a fresh start after a changed source asks the server. */
    void listedFree(String id, boolean free) {
        if (free) {
            listedFree.add(id);
        } else {
            listedFree.remove(id);
        }
    }

    /**
     * The source, read as it is: a tree's file or an inbox drop is opened without following a link (O_NOFOLLOW), so a
     * link put in its place between {@link #plan}'s look at it and this open fails here instead of being read.
     */
    private static FileChannel openSource(Path source, TransferRequest r) throws IOException {
        try {
            return openSourceAsItIs(source, r);
        } catch (java.nio.file.AccessDeniedException e) {
            // Its message is the path alone ("failed: secret"), which says nothing of why.
            throw new LocalFileException("cannot read the local file " + source + ": permission denied; make it"
                    + " readable by the user Ferry runs as and run the transfer again", e);
        }
    }

    private static FileChannel openSourceAsItIs(Path source, TransferRequest r) throws IOException {
        if (!r.readsNoLinks()) {
            return FileChannel.open(source, StandardOpenOption.READ);
        }
        FileChannel below = r.sourceRoot() == null ? null : FolderFiles.open(Path.of(r.sourceRoot()), source, r);
        if (below != null) {
            return below;
        }
        try {
            return FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(source)) {
                throw replacedByLink(source, r, "nothing was sent", e);
            }
            throw e;
        }
    }

    /**
     * A source that is a symbolic link now, where none was when it was taken: a folder's walk and the upload inbox
     * refuse links, so one was put in its place since.
     */
    private static LocalFileException replacedByLink(Path source, TransferRequest r, String sent, Exception cause) {
        String target = FolderFiles.linkTarget(source);
        String why = r.tree() != null
                ? ") after its folder was read; links in a folder are not followed, so it was not uploaded; " + sent
                        + ": put the file itself back and run the folder again"
                : ") after the inbox took it; links in the upload inbox are not followed, so it was not uploaded; "
                        + sent + ": drop the file itself again";
        return new LocalFileException("the local file " + source + " was replaced by a symbolic link (to " + target
                + why, cause);
    }

    /**
     * One command (MLST, or SIZE): a new name, the usual case, costs a single 550. A directory of the name fails at the
     * rename as before, in words.
     */
    private static boolean taken(FtpSession session, String remote) throws IOException {
        try {
            session.stat(remote);
            return true;
        } catch (dev.ferry.ftp.RemoteNotFoundException e) {
            return false;
        }
    }

    /**
     * The source is gone: a partial copy an earlier run of this transfer left on the server can never be finished (a
     * drop deleted while it was sent left hundreds of MiB there until someone asked for a discard), so it goes.
     */
    private String abandoned(String id, String remote, ServerProfile profile) {
        // Asked of the server even when the ledger holds no segments: a batch's file (its rows written only at the
        // commit) or a run restarted after its bytes went may have left a full-size copy there.
        String temp = PartFiles.remotePart(remote, id, ledger.instance());
        try {
            FtpSession session = pool.borrow(profile);
            try {
                // An upload under way since before the temporary names carried the ledger's instance left this one.
                boolean legacy = session.delete(PartFiles.legacyRemotePart(remote, id));
                return session.delete(temp) || legacy ? "the partial copy " + temp + " on the server was removed"
                        : "no partial copy is left on the server";
            } finally {
                pool.release(session);
            }
        } catch (IOException e) {
            return "the partial copy " + temp + " may be left on the server (" + e.getMessage() + "): discard the"
                    + " transfer to remove it";
        }
    }

    Planned plan(TransferRequest r, TransferOptions options, ServerProfile profile) throws IOException {
        String id = r.id();
        boolean free = listedFree.remove(id);
        Path source = Path.of(r.localPath()).toAbsolutePath();
        // A folder's walk and the upload inbox refused the links they met, so a link met now was put in a file's place
        // since: it would send whatever it points to (/etc/shadow as well), under the file's name, verified against
        // itself.
        if (r.readsNoLinks() && Files.isSymbolicLink(source)) {
            throw replacedByLink(source, r, abandoned(id, r.remotePath(), profile), null);
        }
        long size;
        long mtime;
        long changedAt;
        SourceState seen;
        try {
            if (!Files.isRegularFile(source)) {
                throw new NoSuchFileException(source.toString());
            }
            seen = SourceState.of(source, false);
            size = seen.size();
            mtime = seen.mtimeMillis();
            changedAt = seen.changedAt() == null ? -1 : seen.changedAt().to(TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            throw new LocalFileException("the local file " + source + " does not exist or is not a regular file; "
                    + abandoned(id, r.remotePath(), profile), e);
        }
        String remote = r.remotePath();
        String temp = PartFiles.remotePart(remote, id, ledger.instance());
        FtpSession session = pool.borrow(profile);
        try {
            session.mkdirs(PathGuard.remoteParent(remote));
            Capabilities caps = pool.probe().forUpload(session, PathGuard.remoteParent(remote));
            // Segments first: a new transfer has none, and then its record is not needed.
            List<SegmentRecord> known = ledger.segments(id);
            Optional<TransferRecord> record = known.isEmpty() ? Optional.empty() : ledger.find(id);
            if (!known.isEmpty()) {
                temp = underWayAs(session, temp, PartFiles.legacyRemotePart(remote, id));
            }
            boolean placed = renamedBeforeCrash(record, known, size, mtime, session, temp, remote)
                    && !rewrittenInPlace(record.get(), changedAt);
            if (!placed && !free && options.fileExist() == FileExist.FAIL && taken(session, remote)) {
                if (record.isEmpty() && ServerCopy.hasBytesOf(session, caps, remote, source, size)) {
                    // Placed by this drop before a crash, in a batch whose commit never came (its rows are written
                    // only then): the server's copy is this file, byte for byte. Nothing to send, nothing replaced.
                    ledger.start(id, size, mtime, List.of());
                    LiveTransfer kept = new LiveTransfer(r, options, profile, caps, size, mtime,
                            openSource(source, r), source, remote, UploadStrategy.AUTO,
                            ledger, List.of());
                    kept.kept = KeptFile.ALREADY_THERE;
                    return new Planned(kept, null);
                }
                if (session.isDirectory(remote)) {
                    throw new UploadTargetIsFolderException(remote, profile, false, null);
                }
                throw new UploadTargetExistsException(remote, profile);
            }
            if (!placed && !free && options.fileExist() == FileExist.IGNORE && taken(session, remote)) {
                ledger.start(id, size, mtime, List.of());
                LiveTransfer kept = new LiveTransfer(r, options, profile, caps, size, mtime,
                        openSource(source, r), source, remote, UploadStrategy.AUTO, ledger,
                        List.of());
                kept.kept = KeptFile.IGNORED;
                return new Planned(kept, null);
            }
            UploadStrategy strategy = strategy(options, profile, caps);
            List<SegmentRecord> segments = strategy == UploadStrategy.PARALLEL
                    ? SegmentPlanner.plan(size, options.minSegmentSize(),
                            Math.min(options.segments(), pool.limit(profile)))
                    : SegmentPlanner.plan(size, Long.MAX_VALUE, 1);
            if (strategy == UploadStrategy.PARALLEL && segments.size() == 1) {
                // One segment gains nothing from chunked STORs; SIZE-based resume is cheaper.
                strategy = caps.storeRestart() || caps.append() ? UploadStrategy.SEQUENTIAL : UploadStrategy.RESTART;
            }
            String restartWhy = null;
            boolean resumable = false;
            if (record.isPresent() && !known.isEmpty()) {
                TransferRecord rec = record.get();
                if (placed) {
                    // Nothing to send or check here: the publish step verifies the final name and records it.
                    resumable = true;
                    segments = known;
                } else if (!new Fingerprint(rec.size(), rec.sourceMtime()).sameSourceAs(size, mtime)) {
                    restartWhy = "the local file changed since the last run (size " + rec.size() + " -> " + size
                            + ", modified " + Units.time(rec.sourceMtime()) + " -> " + Units.time(mtime)
                            + "); the partial upload is discarded";
                } else if (rewrittenInPlace(rec, changedAt)) {
                    restartWhy = "the local file was written again since the last run, with its size and modification"
                            + " time kept (its change time moved); the partial upload is discarded";
                } else if (strategy == UploadStrategy.PARALLEL && (known.size() < 2 || known.get(0).offset() == 0)) {
                    restartWhy = "the partial upload " + temp + " cannot be resumed in place";
                } else if (strategy == UploadStrategy.PARALLEL && !holdsConfirmed(session, temp, known, size)) {
                    restartWhy = "the partial upload " + temp + " on the server is gone, shorter than the bytes it"
                            + " confirmed, or longer than the file: it was changed since; it is discarded";
                } else if (strategy != UploadStrategy.PARALLEL && known.size() != 1) {
                    restartWhy = "the server no longer allows a parallel upload";
                } else {
                    resumable = true;
                    // ACTIVE at planning time: the run before ended without a word (killed), not failed or cancelled.
                    boolean killed = rec.status() == TransferStatus.ACTIVE;
                    segments = strategy == UploadStrategy.SEQUENTIAL
                            ? List.of(confirmedByServer(session, temp, known.get(0), killed)) : known;
                }
            }
            // As for downloads: the segments' logins overlap the ledger writes and the prime. A parallel upload
            // needs one session per unfinished segment, and this one is released to the first of them.
            int toRun = (int) segments.stream().filter(s -> !s.done()).count();
            pool.prewarm(profile, toRun - 1);
            if (resumable) {
                ledger.status(id, TransferStatus.ACTIVE, null);
                if (strategy == UploadStrategy.SEQUENTIAL && !segments.get(0).done()) {
                    ledger.checkpoint(id, segments.get(0).index(), segments.get(0).offset());
                }
            } else {
                // The fenced ledger write first: a node that lost this transfer must not delete the new owner's copy.
                ledger.start(id, size, mtime, changedAt, segments);
                if (restartWhy != null) {
                    session.delete(temp);
                }
            }
            FileChannel channel = openSource(source, r);
            LiveTransfer t = new LiveTransfer(r, options, profile, caps, size, mtime, channel, source, temp,
                    strategy, ledger, segments);
            t.serverHasOurBytes = resumable;
            t.renameSent = placed;
            t.firstSeen = seen;
            if (strategy == UploadStrategy.PARALLEL && !resumable) {
                mover.prime(session, t);
            }
            pool.release(session);
            session = null;
            return new Planned(t, restartWhy);
        } finally {
            if (session != null) {
                pool.release(session);
            }
        }
    }

    /**
     * The temporary name of an upload under way: {@code temp}, or the name an upload begun before the names carried
     * the ledger's instance has on the server ({@code legacy}), so that it resumes, and is never taken for one renamed
     * into place because its new name is not there.
     */
    private static String underWayAs(FtpSession session, String temp, String legacy) throws IOException {
        if (session.exists(temp) || !session.exists(legacy)) {
            return temp;
        }
        return legacy;
    }

    /**
     * The source's change time moved since the run that recorded it: written again in place (rsync --inplace -t,
     * touch -r), or its attributes changed. Either way what the server has may not be this file's bytes, and a server
     * without a hash could not tell at the end.
     */
    private static boolean rewrittenInPlace(TransferRecord rec, long changedAt) {
        return rec.sourceChangedAt() >= 0 && changedAt >= 0 && rec.sourceChangedAt() != changedAt;
    }

    /**
     * Whether the run before sent every byte, and the server renamed the file into place, but the run ended (killed)
     * before the ledger recorded it published: every segment done for this source, the temporary name (it carries
     * the transfer's id) gone, the final name holding the size sent. The publish step then checks the bytes (the
     * server's hash where it has one) and records the transfer published; nothing is sent again, nothing fails.
     */
    private static boolean renamedBeforeCrash(Optional<TransferRecord> record, List<SegmentRecord> known, long size,
                                              long mtime, FtpSession session, String temp, String remote)
            throws IOException {
        if (record.isEmpty() || known.isEmpty() || !known.stream().allMatch(SegmentRecord::done)
                || !new Fingerprint(record.get().size(), record.get().sourceMtime()).sameSourceAs(size, mtime)
                || remoteExists(session, temp)) {
            return false;
        }
        try {
            return session.size(remote) == size;
        } catch (RemoteNotFoundException e) {
            return false;
        }
    }

    /**
     * A sequential upload resumes where the server's SIZE of the temporary file says (what it confirmed), so the
     * plan starts there too and the resumed bytes are reported as such.
     */
    private static SegmentRecord confirmedByServer(FtpSession session, String temp, SegmentRecord s, boolean killed)
            throws IOException {
        if (s.done()) {
            return s;
        }
        long there = sizeOrZero(session, temp);
        if (killed) {
            // A killed process's socket still delivers what its kernel had buffered (megabytes on a fast link), and
            // the server keeps writing it: resume once SIZE stops growing, or those bytes are sent a second time.
            for (int i = 0; i < SETTLE_CHECKS; i++) {
                pause(SETTLE_PAUSE_MS);
                long again = sizeOrZero(session, temp);
                if (again == there) {
                    break;
                }
                there = again;
            }
        }
        long offset = there >= s.start() && there <= s.end() ? there : s.start();
        return new SegmentRecord(s.index(), s.start(), s.end(), offset, false);
    }

    private static long sizeOrZero(FtpSession session, String temp) throws IOException {
        try {
            return session.size(temp);
        } catch (RemoteNotFoundException e) {
            return 0;
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the server's SIZE settled");
        }
    }

    /**
     * Whether a parallel upload's partial copy on the server still holds what the ledger says the server confirmed: it
     * is there (one SIZE says both), at least up to the highest byte confirmed, and no longer than the file. One cut short since (a clean-up, a quota,
     * restored storage) had its size made right again by the segments above the cut, zeros where the lost bytes were,
     * and a server without a hash published that as verified by size.
     */
    private static boolean holdsConfirmed(FtpSession session, String temp, List<SegmentRecord> known, long size)
            throws IOException {
        long confirmed = 0;
        for (SegmentRecord s : known) {
            confirmed = Math.max(confirmed, s.done() ? s.end() : s.offset() > s.start() ? s.offset() : 0);
        }
        long there = sizeOrZero(session, temp);
        return there >= confirmed && there <= size;
    }

    private static boolean remoteExists(FtpSession session, String temp) throws IOException {
        try {
            return session.size(temp) >= 0;
        } catch (RemoteNotFoundException e) {
            return false;
        }
    }

    static UploadStrategy strategy(TransferOptions options, ServerProfile profile, Capabilities caps)
            throws dev.ferry.ftp.FtpException {
        UploadStrategy chosen = options.uploadStrategy() != null && options.uploadStrategy() != UploadStrategy.AUTO
                ? options.uploadStrategy()
                : profile.uploadStrategy() != UploadStrategy.AUTO ? profile.uploadStrategy() : caps.bestUpload();
        if (chosen == UploadStrategy.PARALLEL && !caps.storeInPlace()) {
            // On a server that truncates at the offset, out-of-order STORs leave a file of the right size with the
            // wrong bytes, which only a server hash could catch: refuse instead of risking it.
            throw new dev.ferry.ftp.FtpException("a parallel upload was asked for, but server " + profile.name()
                    + " does not write REST+STOR in place (probed: " + caps + "); use the upload strategy auto,"
                    + " sequential or restart", 0, false);
        }
        return chosen;
    }
}
