package dev.ferry.transfer;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteFile;
import dev.ferry.ftp.RemoteFolderException;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Fingerprint;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.Units;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plans a download: the remote fingerprint, then either the ledger's segments (same source, part file still
 * there) or a fresh plan with a preallocated hidden part file next to the target. A download taken over from another
 * node without shared storage comes here without segments (the claim dropped them, see
 * {@link dev.ferry.ledger.Leases}), so it starts afresh with a new part file on this node's disk.
 */
final class DownloadPlanner {
    private final SessionPool pool;
    private final JdbcLedger ledger;
    /** What a tree's listing said of a download's source, by transfer id, until its first planning takes it. */
    private final Map<String, RemoteFile> listed = new ConcurrentHashMap<>();

    DownloadPlanner(SessionPool pool, JdbcLedger ledger) {
        this.pool = pool;
        this.ledger = ledger;
    }

    /**
     * The listing's size and time (-1 when it was not exact) of the next planning of {@code id}: that planning asks
     * the server only for what is missing. Publishing still compares a fresh SIZE/MDTM with it, so a file that changed
     * after the listing is caught there and started over, and the fresh start asks the server (the hint is taken once).
     */
    void listed(String id, RemoteFile file) {
        if (file == null) {
            listed.remove(id);
        } else {
            listed.put(id, file);
        }
    }

    Planned plan(TransferRequest r, TransferOptions options, ServerProfile profile) throws IOException {
        String id = r.id();
        RemoteFile hint = listed.remove(id);
        Path target = Path.of(r.localPath()).toAbsolutePath();
        Path part = partFile(target, id);
        if (publishedBeforeRestart(id, target, part)) {
            return kept(r, options, profile, target, "size " + Files.size(target) + " (published before a restart)");
        }
        if (keepExisting(r, target, options, profile)) {
            return kept(r, options, profile, target, KeptFile.IGNORED);
        }
        RemoteFile remote;
        Capabilities caps;
        FtpSession session = pool.borrow(profile);
        try {
            if (hint == null || hint.size() < 0) {
                remote = statOrFolder(session, r.remotePath(), profile);
            } else if (hint.mtime() > 0) {
                remote = hint;
            } else {
                remote = new RemoteFile(r.remotePath(), hint.size(), session.modified(r.remotePath()), false);
            }
            caps = pool.probe().read(session);
        } finally {
            pool.release(session);
        }
        if (remote.directory()) {
            throw new RemoteFolderException(r.remotePath(), profile);
        }
        if (remote.size() < 0) {
            // Without the size nothing can be split, resumed or verified: a short file could not be told from a whole.
            throw new FtpException("server " + profile + " tells no size for " + r.remotePath() + " (no SIZE, no MLST,"
                    + " and its LIST shows none): Ferry needs a file's size to verify its download; enable SIZE or"
                    + " MLST on the server", 0, false);
        }
        Optional<TransferRecord> record = ledger.find(id);
        List<SegmentRecord> segments = record.isPresent() ? ledger.segments(id) : List.of();
        String restartWhy = null;
        boolean resumable = false;
        if (record.isPresent() && !segments.isEmpty()) {
            TransferRecord rec = record.get();
            if (!new Fingerprint(rec.size(), rec.sourceMtime()).sameSourceAs(remote.size(), remote.mtime())) {
                restartWhy = "the remote file changed since the last run (size " + rec.size() + " -> "
                        + remote.size() + ", modified " + Units.time(rec.sourceMtime()) + " -> "
                        + Units.time(remote.mtime()) + "); the partial data is discarded";
            } else if (!Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS) || Files.size(part) != remote.size()) {
                restartWhy = "the partial file " + part + " is missing or has the wrong size";
            } else {
                resumable = true;
            }
        }
        if (!resumable) {
            segments = SegmentPlanner.plan(remote.size(), options.minSegmentSize(),
                    Math.min(options.segments(), pool.limit(profile)));
        }
        // The segments' logins overlap the ledger writes and the part file instead of following them; the
        // planning session, idle again, is one of the sessions wanted.
        pool.prewarm(profile, (int) segments.stream().filter(s -> !s.done()).count());
        // Below a folder that was given, the part file's folder is made and entered without following a link.
        Path folder = r.sourceRoot() == null ? null : FolderFiles.makeFolder(Path.of(r.sourceRoot()), part.getParent());
        if (resumable) {
            ledger.status(id, TransferStatus.ACTIVE, null);
        } else {
            // The ledger first: its write is fenced, so a node that lost this transfer stops before it deletes a part
            // file the new owner may be writing (shared storage, or one host).
            ledger.start(id, remote.size(), remote.mtime(), segments);
            prepare(part, remote.size());
        }
        FileChannel channel = open(part);
        LiveTransfer t = new LiveTransfer(r, options, profile, caps, remote.size(), remote.mtime(), channel, part,
                r.remotePath(), UploadStrategy.AUTO, ledger, segments);
        if (folder != null && !folder.equals(t.workFolder)) {
            // A link swapped in between the folder's making and the part file's creation: found before a byte is
            // written, the part file (made where the link led) removed. Publishing checks against this folder.
            channel.close();
            if (!resumable) {
                Files.deleteIfExists(part);
            }
            LocalTarget.requireSameFolder(part, target, folder);
            throw LocalFileException.writing(part, new IOException("its folder changed as it was made"));
        }
        return new Planned(t, restartWhy);
    }

    /**
     * {@link LocalTarget#keepExisting}; a local directory where the file would go is, when the remote path is a folder
     * too, that folder's earlier tree (the request runs as the tree again, a mirror), so the server is asked then only.
     */
    private boolean keepExisting(TransferRequest r, Path target, TransferOptions options, ServerProfile profile)
            throws IOException {
        try {
            return LocalTarget.keepExisting(target, options.fileExist());
        } catch (LocalFileException e) {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                FtpSession session = pool.borrow(profile);
                try {
                    if (statOrFolder(session, r.remotePath(), profile).directory()) {
                        throw new RemoteFolderException(r.remotePath(), profile);
                    }
                } catch (RemoteNotFoundException missing) {
                    // Neither file nor folder: the local directory is the answer that helps.
                } finally {
                    pool.release(session);
                }
            }
            throw e;
        }
    }

    /**
     * The source's size and time; a path the server says is not there is asked once more whether it is a folder (CWD),
     * on this failure path only, so a file's download pays nothing for it.
     *
     * @throws RemoteFolderException when the path is a folder
     */
    private static RemoteFile statOrFolder(FtpSession session, String path, ServerProfile profile)
            throws IOException {
        try {
            return session.stat(path);
        } catch (RemoteNotFoundException e) {
            if (session.isDirectory(path)) {
                throw new RemoteFolderException(path, profile);
            }
            throw e;
        }
    }

    /** A sparse file of the final size; the free space is checked first so a full disk fails early and clearly. */
    private static void prepare(Path part, long size) throws IOException {
        try {
            Files.createDirectories(part.getParent());
            Files.deleteIfExists(part);
            // File's statfs of the folder first: Files.getFileStore reads and parses /proc/mounts and looks at every
            // parent folder to find the mount, for each file of a tree. File says 0 also when it could not ask, so
            // a short answer is asked again the thorough way (which throws if it cannot tell).
            long free = part.getParent().toFile().getUsableSpace();
            if (free < size) {
                free = Files.getFileStore(part.getParent()).getUsableSpace();
            }
            if (free < size) {
                throw new LocalFileException("not enough space for " + part.getParent().resolve(
                        part.getFileName().toString()) + ": it needs " + size + " bytes and "
                        + part.getParent() + " has " + free + " free; free space and run the transfer again", null);
            }
            PartFiles.create(part, size);
        } catch (LocalFileException e) {
            throw e;
        } catch (IOException e) {
            throw LocalFileException.writing(part, e);
        }
    }

    private static FileChannel open(Path part) throws LocalFileException {
        try {
            return PartFiles.open(part);
        } catch (IOException e) {
            throw LocalFileException.writing(part, e);
        }
    }

    /**
     * {@link PartFiles#localPart}; a download begun before part names carried the ledger's instance resumes from (or
     * finishes publishing) its part file under the old name, which it takes over by a rename (never through a link).
     */
    private Path partFile(Path target, String id) throws IOException {
        Path part = PartFiles.localPart(target, id, ledger.instance());
        Path legacy = PartFiles.legacyLocalPart(target, id);
        if (!Files.exists(part, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(legacy, LinkOption.NOFOLLOW_LINKS)
                && ledger.find(id).isPresent()) {
            try {
                Files.move(legacy, part, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.NoSuchFileException | java.nio.file.FileAlreadyExistsException gone) {
                // taken or made by another run meanwhile: planning sees what is there now
            }
        }
        return part;
    }

    /**
     * A crash between the final rename and the ledger's PUBLISHED leaves this transfer's own file under the final
     * name: every segment done in the ledger, no part file left (or the part file is the target, hard-linked), and
     * the target has the source's size and modification time (set on the part file before the rename). Refusing it as
     * "already exists" would fail a transfer that is done.
     */
    private boolean publishedBeforeRestart(String id, Path target, Path part) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Optional<TransferRecord> record = ledger.find(id);
        if (record.isEmpty() || record.get().sourceMtime() <= 0) {
            return false;
        }
        List<SegmentRecord> segments = ledger.segments(id);
        TransferRecord rec = record.get();
        boolean partThere = Files.exists(part, LinkOption.NOFOLLOW_LINKS);
        boolean ours = (!partThere || Files.isSameFile(part, target))
                && !segments.isEmpty() && segments.stream().allMatch(SegmentRecord::done)
                && Files.size(target) == rec.size()
                && Files.getLastModifiedTime(target, LinkOption.NOFOLLOW_LINKS).toMillis() == rec.sourceMtime();
        if (ours && partThere) {
            // Killed between the hard link and the removal of the part file's name (LocalTarget.publish).
            Files.delete(part);
        }
        return ours;
    }

    /**
     * fileExist Ignore and the target is there: a transfer with nothing to move, which publishing reports as kept
     * without asking the server ({@link KeptFile}).
     */
    private Planned kept(TransferRequest r, TransferOptions options, ServerProfile profile, Path target, String why)
            throws IOException {
        long size = Files.size(target);
        long mtime = Files.getLastModifiedTime(target).toMillis();
        ledger.start(r.id(), size, mtime, List.of());
        // Read only: nothing is written. No capabilities: the server is not asked.
        FileChannel channel = FileChannel.open(target, StandardOpenOption.READ);
        LiveTransfer t = new LiveTransfer(r, options, profile, null, size, mtime, channel, target, r.remotePath(),
                UploadStrategy.AUTO, ledger, List.of());
        t.kept = why;
        return new Planned(t, null);
    }

    /** A plan, and why the earlier partial data was discarded (null when it was resumed or there was none). */
    record Planned(LiveTransfer transfer, String restartWhy) {
    }
}
