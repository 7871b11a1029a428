package dev.ferry.tree;

import dev.ferry.DaemonThreads;
import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteFile;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.ClusterView;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.TreeListings;
import dev.ferry.ledger.UnitOfWork;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.TransferIds;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.plan.UnsafePathException;
import dev.ferry.transfer.FolderFiles;
import dev.ferry.transfer.ServerCopy;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferResult;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.net.ftp.FTPFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory tree moved as one ordinary Ferry transfer per file on one engine, so every file is verified and
 * published atomically as a single file is, and resumes the same way. The tree walk (remote: {@link RemoteTree}; local:
 * a folder at a time) feeds at most {@link TreeLimits#parallel()} files in flight; nothing grows with the number of
 * files but the counters. Mirror semantics: a file already identical on the other side is skipped, so a second
 * run moves nothing, and a file that differs is replaced only when the options say so (fileExist), as for one file.
 */
public final class TreeRun {
    static final int MAX_PROBLEM_LINES = 1000;
    /** Files up to this size travel in batches of one ledger commit (as the upload inbox's ferry.inbox.batch-max-bytes). */
    static final long BATCH_MAX_BYTES = 1 << 20;
    static final int BATCH_SIZE = 64;
    /**
     * A batch's time bound. At 500 ms a lane of a 100 KiB tree closed its batch after about 11 files, not 64: 90
     * commits per 1,000 files, and H2's commit (the store written out) was 40 % of the ledger's share of a lane's CPU.
     * A crash loses at most this much of the ledger's record, not of the files: the next run finds them published
     * and skips them (mirror).
     */
    static final long BATCH_MILLIS = 2000;
    /**
     * A batch holds one ledger connection until its commit, and the ledger's pool is small (8), shared with the
     * inbox's batch lanes and everything else: so no more tree batches run at once in a process than one tree has
     * lanes, whatever the number of trees; a lane that finds none free runs its file with the usual commits. Fewer
     * (it was 2) left half of a lone tree's lanes committing several times per file, which cost more CPU per file
     * than the transfer itself on a busy machine.
     */
    private static final Semaphore BATCHING = new Semaphore(TreeLimits.DEFAULTS.parallel());
    private static final Logger LOG = LoggerFactory.getLogger(TreeRun.class);
    /** Told of each file mirror's delete is about to remove (its relative path): a test's moment to swap a folder. */
    static volatile java.util.function.Consumer<String> onDelete = relative -> { };

    private final TransferEngine engine;
    private final ServerProfile profile;
    private final ListingSource listing;
    private final TreeLimits limits;
    private boolean relist;
    private java.time.Instant ownSince;
    /** The folder no download of this run writes outside of, through any link: the root itself unless given. */
    private Path confinedTo;
    private volatile boolean began;

    public TreeRun(TransferEngine engine, String server, TreeLimits limits) {
        this(engine, server, limits, null);
    }

    /** With another listing source (tests put hostile entries into a real server's listing). */
    public TreeRun(TransferEngine engine, String server, TreeLimits limits, ListingSource listing) {
        this.engine = engine;
        this.profile = engine.profiles().get(server);
        this.limits = limits;
        this.listing = listing != null ? listing : new PooledListing(engine.pool(), profile);
    }

    /**
     * Whether this run claimed its tree ({@link TreeListings#begin}): false after a refusal (the tree runs here or on
     * another node) or a failure before the claim, when the tree's row says nothing of this run.
     */
    public boolean began() {
        return began;
    }

    /** Whether a run of tree {@code id} is under way in this process (from before its claim to after its end). */
    public static boolean runningHere(String id) {
        return Once.RUNNING.contains(id);
    }

    /** The tree's id: the parent of its files' transfers, stable across runs like a file's. */
    public static String idOf(Direction direction, String server, String remoteRoot, Path localRoot) {
        return TransferIds.of(direction, server, RemoteTree.rootOf(remoteRoot) + "/", localRoot + "/");
    }

    /** Every file under {@code remoteRoot} into the same relative place under {@code localRoot}. */
    public TreeResult download(String remoteRoot, Path localRoot, TransferOptions options) throws IOException {
        return download(remoteRoot, localRoot, options, TreeFilter.ALL);
    }

    /** The folder the downloads below {@code root} are confined to (see {@link #confinedTo}). */
    private Path confine(Path root) {
        return confinedTo != null && root.startsWith(confinedTo) ? confinedTo : root;
    }

    /**
     * Downloads of this run write nothing outside {@code folder} (the service's download directory), through any link
     * below it: the tree's own root is inside it and can be swapped for a link too by whoever may write there.
     */
    public TreeRun confinedTo(Path folder) {
        this.confinedTo = folder.toAbsolutePath().normalize();
        return this;
    }

    /**
     * Whether a tree that did not end lists the server again rather than resuming from the listing its earlier run
     * left in the ledger (the request's {@code "relist": true}, the command line's {@code --relist}).
     */
    public TreeRun relist(boolean relist) {
        this.relist = relist;
        return this;
    }

    /**
     * An upload's files this Ferry published at or after {@code since} are its own copies of moments ago (a folder
     * drop walked again before it is filed in .done/): one whose local file changed since it was sent — even with its
     * size and time kept, which the mirror test cannot see, but its change time moved — is sent again over that copy.
     */
    public TreeRun ownCopiesSince(java.time.Instant since) {
        this.ownSince = since;
        return this;
    }

    /**
     * The files {@code filter} takes under {@code remoteRoot}, and with its delete, the extraneous local ones gone.
     * The walk writes the listing to the ledger on a thread of its own ({@link TreeListing}); the files are read back
     * behind it. A tree whose earlier run ended its walk but not its files is resumed from that listing instead.
     */
    public TreeResult download(String remoteRoot, Path localRoot, TransferOptions options, TreeFilter filter)
            throws IOException {
        String base = RemoteTree.rootOf(remoteRoot);
        Path root = localRoot.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            // Files.createDirectories would say only the path (a request file's whole reason was that path).
            throw new java.nio.file.FileAlreadyExistsException(root.toString(), null, "this is a file, and a folder"
                    + " download needs a folder here (or nothing: it is made); name another local folder");
        }
        if (filter.delete()) {
            requireLedgerOutside(root);
        }
        String id = idOf(Direction.DOWNLOAD, profile.name(), base, root);
        try (Once once = Once.of(id, profile.name() + ":" + base + " -> " + root)) {
            TreeListings store = engine.ledger().treeListings();
            TreeListings.Run run = store.begin(id, Direction.DOWNLOAD, profile.name(), base, root.toString(), relist);
            began = true;
            boolean resume = run.resume();
            TreeState state = new TreeState(run.claim(), Direction.DOWNLOAD, profile.name(), base, root.toString(),
                    store, engine.events());
            state.started(resume);
            Tally tally = null;
            try {
                if (!resume) {
                    requireFolder(base);
                }
                // Only now: a remote folder that is not there leaves no empty local one behind.
                Files.createDirectories(root);
                tally = new Tally(state);
                Tally counts = tally;
                LOG.info("tree {}: {}:{} -> {}{}", tally.id, profile.name(), base, root,
                        resume ? " (resumed from the listing in the ledger)" : "");
                TreeListing listed = resume ? TreeListing.resumed(store, run.claim())
                        : TreeListing.fresh(store, run.claim());
                Thread walker = resume ? null : walkInto(listed, base, root, filter, counts);
                try {
                    PathGuard.Root guarded = PathGuard.root(root);
                    listed.replay(e -> fromListing(e, base, guarded, options, filter, resume, counts));
                } finally {
                    if (walker != null) {
                        stopWalk(listed, walker);
                    }
                }
                state.walked();
                return tally.finish();
            } catch (IOException | RuntimeException | Error e) {
                if (tally != null) {
                    tally.walked = true; // its lanes end once the queue is empty
                    tally.lanes.shutdown();
                }
                state.failed(e);
                throw e;
            }
        }
    }

    /**
     * The walk writes nothing more (a write under way finishes first), is interrupted, and is waited for: a tree that
     * stops (Ctrl-C, the service stopping, an error) leaves no walk behind that would go on listing the server into
     * the ledger. A listing command under way is not interruptible; it ends within the server's read timeout, and its
     * entries are then dropped.
     */
    private static void stopWalk(TreeListing listed, Thread walker) {
        listed.stop();
        walker.interrupt();
        boolean interrupted = Thread.interrupted();
        while (walker.isAlive()) {
            try {
                walker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The remote walk, writing the listing on its own thread: folders made, refusals and files recorded. */
    private Thread walkInto(TreeListing listed, String base, Path root, TreeFilter filter, Tally tally) {
        Thread walker = DaemonThreads.named("ferry-tree-walk-").newThread(() -> {
            Throwable failure = null;
            try {
                new RemoteTree(listing, limits).walk(base, new RemoteTree.Visitor() {
                    @Override
                    public boolean folder(String relative) throws IOException {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new java.io.InterruptedIOException("tree " + tally.id + " stopped: its walk ends");
                        }
                        try {
                            dev.ferry.transfer.FolderFiles.makeFolder(confine(root),
                                    PathGuard.localInside(root, relative));
                            return true;
                        } catch (UnsafePathException | dev.ferry.transfer.LocalFileException e) {
                            // A folder that cannot be made here (a file, a link, no permission) is that folder's
                            // refusal, not the whole tree's failure.
                            refused(relative, e.getMessage());
                            return false;
                        }
                    }

                    @Override
                    public void file(TreeEntry entry) throws IOException {
                        try {
                            // By name only: the links are checked when the entry is read back to be written
                            // (fromListing), which also sees a link planted after this walk.
                            PathGuard.localName(root, entry.relative());
                        } catch (UnsafePathException e) {
                            refused(entry.relative(), e.getMessage());
                            return;
                        }
                        listed.file(entry);
                    }

                    @Override
                    public void refused(String relative, String reason) {
                        listed.refused(relative, reason);
                    }

                    @Override
                    public void listed(String relative, java.util.Set<String> names, boolean whole)
                            throws IOException {
                        listed.flush();
                        if (filter.delete() && whole) {
                            deleteExtraneous(root, relative, names, filter, tally);
                        }
                    }
                });
            } catch (Throwable e) {
                failure = e;
            } finally {
                listed.walked(failure);
                if (failure == null) {
                    tally.state.walked();
                }
            }
        });
        walker.start();
        return walker;
    }

    /** One entry of the listing (this run's walk or an earlier run's): refused, filtered out, skipped or sent. */
    private void fromListing(TreeListings.Entry e, String base, PathGuard.Root root, TransferOptions options,
                             TreeFilter filter, boolean resumed, Tally tally) throws IOException {
        if (e.refusal() != null) {
            tally.refuse(e.relative(), e.refusal());
            return;
        }
        Path local;
        try {
            local = root.inside(e.relative());
        } catch (UnsafePathException x) {
            tally.refuse(e.relative(), x.getMessage());
            return;
        }
        if (!filter.takes(e.relative(), timeForFilter(e, base, filter))) {
            return;
        }
        if (resumed) {
            try {
                // This run's walk did not make the folders.
                dev.ferry.transfer.FolderFiles.makeFolder(confine(root.base()), local.getParent());
            } catch (dev.ferry.transfer.LocalFileException x) {
                tally.refuse(e.relative(), x.getMessage());
                return;
            }
        }
        TreeEntry entry = new TreeEntry(e.relative(), e.size(), e.mtime(), e.exactTime());
        String remote = RemoteTree.join(base, entry.relative());
        tally.files.incrementAndGet();
        TransferRequest request = new TransferRequest(Direction.DOWNLOAD, profile.name(), remote, local.toString(),
                options);
        if (sameLocally(local, remote, entry)) {
            tally.skipped.incrementAndGet();
            // Published by a run killed before it removed the part file's name: that name goes now.
            dev.ferry.transfer.PartFiles.dropLinkedPart(local, request.id(), engine.ledger().instance());
            return;
        }
        // Written below the root only, through no link (the download's planning makes and checks its folder).
        Path confine = confine(root.base());
        tally.send(request.fromFolder(confine.toString()),
                entry.size(), entry.relative(), null,
                new RemoteFile(remote, entry.size(), entry.exactTime() ? entry.mtime() : -1, false), false);
    }

    /** Every file under {@code localRoot} to the same relative place under {@code remoteRoot}; folders made as needed. */
    public TreeResult upload(Path localRoot, String remoteRoot, TransferOptions options) throws IOException {
        return upload(localRoot, remoteRoot, options, TreeFilter.ALL);
    }

    /** The files {@code filter} takes under {@code localRoot}; its delete is for downloads only (refused here). */
    public TreeResult upload(Path localRoot, String remoteRoot, TransferOptions options, TreeFilter filter)
            throws IOException {
        if (filter.delete()) {
            throw new IllegalArgumentException("delete of extraneous files is for downloads only: an upload never"
                    + " deletes on the server");
        }
        String base = RemoteTree.rootOf(remoteRoot);
        Path root = localRoot.toAbsolutePath().normalize();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(root + " is not a folder");
        }
        String id = idOf(Direction.UPLOAD, profile.name(), base, root);
        requireNotAFile(base);
        try (Once once = Once.of(id, root + " -> " + profile.name() + ":" + base)) {
            TreeListings store = engine.ledger().treeListings();
            TreeListings.Run run = store.begin(id, Direction.UPLOAD, profile.name(), base, root.toString(), true);
            began = true;
            TreeState state = new TreeState(run.claim(), Direction.UPLOAD, profile.name(), base, root.toString(),
                    store, engine.events());
            state.started(false);
            try {
                Tally tally = new Tally(state);
                tally.renames = new FolderRenames(new FolderRenames.Lister() {
                    @Override
                    public Map<String, Long> sizes(String remoteDir) throws IOException {
                        return listedSizes(remoteDir);
                    }

                    @Override
                    public long size(String remotePath) throws IOException {
                        return sizeOf(remotePath);
                    }
                }, tally::notRenamed);
                return uploadWalk(root, base, options, filter, tally);
            } catch (IOException | RuntimeException | Error e) {
                state.failed(e);
                throw e;
            }
        }
    }

    private TreeResult uploadWalk(Path root, String base, TransferOptions options, TreeFilter filter, Tally tally)
            throws IOException {
        LOG.info("tree {}: {} -> {}:{}", tally.id, root, profile.name(), base);
        // {relative folder, depth, "absent" when its parent's whole listing lacks it}
        Deque<String[]> pending = new ArrayDeque<>();
        pending.push(new String[] {"", "0", ""});
        int entries = 0;
        while (!pending.isEmpty()) {
            String[] dir = pending.pop();
            String relDir = dir[0];
            int depth = Integer.parseInt(dir[1]);
            Path localDir = relDir.isEmpty() ? root : root.resolve(relDir);
            String remoteDir = relDir.isEmpty() ? base : RemoteTree.join(base, relDir);
            Map<String, FTPFile> there = new HashMap<>();
            // A folder the server lacks is made before its files go, so an empty one is there too (as with lftp's
            // mirror -R); one known to be absent is not listed first.
            Listed listed = dir[2].isEmpty() ? remoteEntries(remoteDir, there) : Listed.MADE;
            if ((listed == Listed.MADE || listed.absent()) && !makeFolder(remoteDir, relDir, tally)) {
                continue;
            }
            boolean exact = listed.exact();
            // A case-blind server (IIS, Windows) renames over A.bin when asked for a.bin: a name is free only when no
            // listed entry matches it in any case.
            Set<String> takenAnyCase = new HashSet<>();
            there.keySet().forEach(n -> takenAnyCase.add(n.toLowerCase(Locale.ROOT)));
            List<String> below = new ArrayList<>();
            List<Boolean> absentBelow = new ArrayList<>();
            String renamedInto = null;
            // Opened from the root one name at a time, none followed if it is a link: a subfolder swapped for a link
            // after its parent was read is not listed through it (nor are its files read: FolderFiles).
            if (!relDir.isEmpty() && Files.isSymbolicLink(localDir)) {
                tally.refuse(relDir, "replaced by a symbolic link after its folder was read; links are not followed");
                continue;
            }
            try (java.nio.file.SecureDirectoryStream<Path> children = FolderFiles.openFolder(root, relDir)) {
                if (children == null) {
                    throw new IOException("this system cannot open a folder without following links");
                }
                for (Path entry : children) {
                    Path child = localDir.resolve(entry.getFileName());
                    String name = child.getFileName().toString();
                    String rel = relDir.isEmpty() ? HostileNames.printable(name)
                            : relDir + "/" + HostileNames.printable(name);
                    if (++entries > limits.maxEntries()) {
                        tally.refuse(rel, "over the tree's entry limit of " + limits.maxEntries());
                        continue;
                    }
                    String reason = name.indexOf('\uFFFD') >= 0 ? "the local name is not valid UTF-8 (Ferry sends"
                            + " names as UTF-8); rename it" : HostileNames.refusal(name);
                    BasicFileAttributes a = children.getFileAttributeView(entry.getFileName(),
                            java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .readAttributes();
                    if (reason != null) {
                        tally.refuse(rel, reason);
                    } else if (a.isSymbolicLink()) {
                        tally.refuse(rel, "a symbolic link; links are not followed");
                    } else if (a.isDirectory()) {
                        if (depth + 1 > limits.maxDepth()) {
                            tally.refuse(rel, "a folder deeper than " + limits.maxDepth() + " levels (the depth limit)");
                        } else {
                            below.add(rel);
                            absentBelow.add(listed.whole() && !there.containsKey(name));
                        }
                    } else if (!a.isRegularFile()) {
                        tally.refuse(rel, "neither a file nor a folder");
                    } else if (filter.takes(rel, a.lastModifiedTime().toMillis())) {
                        tally.files.incrementAndGet();
                        String remote = PathGuard.remoteInside(base, rel);
                        long mtime = a.lastModifiedTime().toMillis();
                        TransferOptions sendWith = options;
                        dev.ferry.ledger.TransferRecord own = ownCopy(child, remote, there.get(name));
                        if (sameRemotely(there.get(name), exact, remote, a.size(), mtime)) {
                            String changed = own == null ? null : dev.ferry.source.SourceCheck.differs(child,
                                    dev.ferry.source.SourceState.recorded(own.size(), own.sourceMtime(),
                                            own.sourceChangedAt()),
                                    ServerCopy.published(engine, profile.name(), remote));
                            if (changed == null) {
                                tally.skipped.incrementAndGet();
                                continue;
                            }
                            LOG.warn("tree {}: {} changed after it was uploaded ({}); uploading it again", tally.id,
                                    rel, changed);
                        }
                        if (own != null) {
                            // The server's copy is this drop's own, of moments ago: replaced, whatever the fileExist
                            // rule says about other people's files (as a dropped file's, DropUnchanged).
                            sendWith = options.withFileExist(dev.ferry.plan.FileExist.OVERRIDE);
                        }
                        // The publisher asks for a file over BATCH_MAX_BYTES under its final name by itself.
                        FolderRenames.Folder folder = null;
                        if (a.size() <= BATCH_MAX_BYTES && tally.renames != null) {
                            renamedInto = remote.lastIndexOf('/') > 0 ? remote.substring(0, remote.lastIndexOf('/')) : "/";
                            folder = tally.renames.expect(renamedInto);
                        }
                        tally.send(new TransferRequest(Direction.UPLOAD, profile.name(), remote,
                                child.toString(), sendWith).fromFolder(root.toString()), a.size(), rel,
                                () -> stamp(remote, mtime), null,
                                listed.whole() && !takenAnyCase.contains(name.toLowerCase(Locale.ROOT)), folder);
                    }
                }
            } catch (IOException e) {
                tally.refuse(relDir.isEmpty() ? "." : relDir, "cannot read the folder: "
                        + (e instanceof java.nio.file.AccessDeniedException ? "permission denied; make it readable by"
                        + " the user Ferry runs as and run again" : e.toString()));
            }
            if (renamedInto != null) {
                tally.renames.walked(renamedInto);
            }
            for (int i = below.size() - 1; i >= 0; i--) {
                pending.push(new String[] {below.get(i), Integer.toString(depth + 1),
                        absentBelow.get(i) ? "absent" : ""});
            }
        }
        return tally.finish();
    }

    /**
     * Mirror's delete in one folder whose listing was whole: every local entry the listing did not name goes, a folder
     * with all below it (links themselves, never what they point to). A file a filter left out stays: one the listing
     * named, and one only here that the globs leave out (`--exclude '*.tmp'` keeps the local c.tmp), with the folders
     * that hold one; so do Ferry's own part files, which may belong to a transfer of this very tree.
     *
     * <p>Every step goes through an open folder (openat, unlinkat), never a path looked up again: a folder swapped for
     * a link while its entries are deleted would otherwise have the deletes go through the link, outside the target.
     */
    private static void deleteExtraneous(Path root, String relative, java.util.Set<String> names, TreeFilter filter,
                                         Tally tally) {
        try {
            if (!relative.isEmpty()) {
                PathGuard.localInside(root, relative);
            }
        } catch (UnsafePathException e) {
            return;
        }
        java.nio.file.SecureDirectoryStream<Path> opened;
        try {
            opened = FolderFiles.openFolder(root, relative);
        } catch (IOException notAFolderNow) {
            return; // gone, a file or a link since it was listed: nothing of the target's to delete there
        }
        if (opened == null) {
            return;
        }
        try (java.nio.file.SecureDirectoryStream<Path> dir = opened) {
            List<Path> extra = new ArrayList<>();
            for (Path child : dir) {
                String name = child.getFileName().toString();
                if (!names.contains(name) && !isPartFile(name)) {
                    extra.add(child.getFileName());
                }
            }
            for (Path name : extra) {
                String rel = relative.isEmpty() ? name.toString() : relative + "/" + name;
                try {
                    deleteUnlessKept(dir, name, rel, filter, tally);
                } catch (IOException e) {
                    // Asked for and not done: the run is not complete (exit 1), as for a file that failed.
                    tally.failed.incrementAndGet();
                    tally.note("cannot delete " + root.resolve(rel) + ": " + e);
                }
            }
        } catch (IOException e) {
            tally.note("cannot read " + root.resolve(relative) + " to delete what the remote tree does not have: " + e);
        }
    }

    private static boolean isPartFile(String name) {
        return name.startsWith(".") && name.contains(".ferry-") && name.endsWith(".part");
    }

    /**
     * Deletes the entry {@code name} of the open folder {@code parent} and what is below it, except the files the
     * filter leaves out; true when it is gone.
     */
    private static boolean deleteUnlessKept(java.nio.file.SecureDirectoryStream<Path> parent, Path name,
                                            String relative, TreeFilter filter, Tally tally) throws IOException {
        boolean folder = parent.getFileAttributeView(name, java.nio.file.attribute.BasicFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes().isDirectory();
        if (folder) {
            boolean emptied = true;
            // Opened without following a link: a folder swapped for one since the look above fails here (ELOOP).
            try (java.nio.file.SecureDirectoryStream<Path> below = parent.newDirectoryStream(name,
                    LinkOption.NOFOLLOW_LINKS)) {
                List<Path> children = new ArrayList<>();
                for (Path c : below) {
                    children.add(c.getFileName());
                }
                for (Path c : children) {
                    emptied &= deleteUnlessKept(below, c, relative + "/" + c, filter, tally);
                }
            }
            if (!emptied) {
                return false;
            }
            parent.deleteDirectory(name);
        } else {
            if (filter.leavesOut(relative)) {
                return false;
            }
            onDelete.accept(relative);
            parent.deleteFile(name); // a link itself, never what it points to
        }
        tally.deleted.incrementAndGet();
        LOG.info("tree {}: deleted {} (not in the remote tree)", tally.id, relative);
        return true;
    }

    /**
     * Mirror's delete removes what the server does not have below the root: an embedded ledger there (get -r into the
     * home folder, whose ~/.ferry holds the command line's ledger) would go with it, and every transfer's record.
     */
    private void requireLedgerOutside(Path root) throws IOException {
        Path ledger = engine.ledger().localDir().orElse(null);
        if (ledger == null) {
            return;
        }
        Path realRoot = Files.exists(root) ? root.toRealPath() : root;
        Path realLedger = Files.exists(ledger) ? ledger.toRealPath() : ledger;
        if (realLedger.startsWith(realRoot)) {
            throw new UnsafePathException("the ledger " + ledger + " is inside " + root + ", and delete would"
                    + " delete it with everything else the server does not have: put the ledger elsewhere (--ledger"
                    + " DIR on the command line, ferry.data-dir for the service) or download without delete");
        }
    }

    /** Some servers list a missing folder as an empty one: asked first, so a typo is not an empty tree. */
    private void requireFolder(String base) throws IOException {
        FtpSession s = engine.pool().borrow(profile);
        try {
            if (s.isDirectory(base)) {
                return;
            }
            if (s.exists(base)) {
                throw new dev.ferry.ftp.RemoteNotFolderException(base, profile);
            }
            throw new RemoteNotFoundException("remote folder " + base + " not found on " + profile, 550);
        } finally {
            engine.pool().release(s);
        }
    }

    /**
     * A LIST time is to the minute, or only the day for an older file, and in the server's zone, which the listing
     * does not say: a file listed near --newer-than's moment may be on either side of it. Its exact time (MDTM) is
     * asked then, and where there is none the file is taken, so nothing is left out for an inexact time.
     */
    private long timeForFilter(TreeListings.Entry e, String base, TreeFilter filter) throws IOException {
        if (e.exactTime() || filter.newerThan() == null || e.mtime() < 0
                || Math.abs(e.mtime() - filter.newerThan().toEpochMilli()) > LIST_TIME_UNCERTAINTY_MILLIS) {
            return e.mtime();
        }
        FtpSession s = engine.pool().borrow(profile);
        try {
            long exact = s.modified(RemoteTree.join(base, e.relative()));
            return exact; // -1 (no MDTM): taken
        } catch (RemoteNotFoundException gone) {
            return -1; // its own transfer says so, by name
        } finally {
            engine.pool().release(s);
        }
    }

    /** A day for a date-only LIST time, and 14 hours either way for the server's time zone. */
    private static final long LIST_TIME_UNCERTAINTY_MILLIS = (24 + 14) * 3600_000L;

    /**
     * Mirror's test for a download: the local file has the remote size and the remote modification time to the
     * second, which Ferry gives every file it publishes. A LIST time is to the minute at best, so the exact one is
     * asked (MDTM) only for a file whose size already matches.
     */
    private boolean sameLocally(Path local, String remote, TreeEntry entry) throws IOException {
        if (!Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS) || Files.size(local) != entry.size()) {
            return false;
        }
        long remoteTime = entry.mtime();
        if (!entry.exactTime()) {
            FtpSession s = engine.pool().borrow(profile);
            try {
                remoteTime = s.stat(remote).mtime();
            } catch (RemoteNotFoundException e) {
                // Gone since the listing (a resumed run does not list again): not the same; its own transfer then
                // fails by name, and the rest of the tree goes on.
                return false;
            } finally {
                engine.pool().release(s);
            }
        }
        long localTime = Files.getLastModifiedTime(local, LinkOption.NOFOLLOW_LINKS).toMillis();
        return remoteTime > 0 && remoteTime / 1000 == localTime / 1000;
    }

    /**
     * See {@link #ownCopiesSince}: the ledger's row of {@code file}'s upload when this Ferry published it at or after
     * that moment and the server's entry still has its size; null otherwise (then the mirror test and the request's
     * fileExist alone decide).
     */
    private dev.ferry.ledger.TransferRecord ownCopy(Path file, String remote, FTPFile there) {
        if (ownSince == null || there == null || !there.isFile()) {
            return null;
        }
        java.util.Optional<dev.ferry.ledger.TransferRecord> row = engine.ledger().find(
                dev.ferry.plan.TransferIds.of(Direction.UPLOAD, profile.name(), remote, file.toString()));
        if (row.isEmpty() || row.get().status() != dev.ferry.ledger.TransferStatus.PUBLISHED
                || row.get().updated().isBefore(ownSince) || row.get().size() != there.getSize()) {
            return null;
        }
        return row.get();
    }

    /**
     * Mirror's test for an upload: the server has a file of that size that is no older than the local one (to the
     * second). Ferry stamps each file it publishes with the local time (MFMT) where the server can; elsewhere the
     * server's own time of the upload is later than the local file's, which passes too, while a local file changed
     * since then is newer and is sent again.
     */
    private boolean sameRemotely(FTPFile there, boolean exact, String remote, long size, long mtime)
            throws IOException {
        if (there == null || !there.isFile() || there.getSize() != size) {
            return false;
        }
        long remoteTime = there.getTimestamp() == null ? -1 : there.getTimestamp().getTimeInMillis();
        if (!exact) {
            FtpSession s = engine.pool().borrow(profile);
            try {
                remoteTime = s.stat(remote).mtime();
            } finally {
                engine.pool().release(s);
            }
        }
        return remoteTime > 0 && remoteTime / 1000 >= mtime / 1000;
    }

    /**
     * The entries of one remote folder, by name (files, folders, links: a name that is taken whatever it is); none
     * when it is not there yet. Whole when every line was understood and none was left out, so a name it lacks is
     * free -- then the upload's planning need not ask again.
     */
    /** A folder's files by name with their sizes (-1 unknown), for {@link FolderRenames}; null if not listed whole. */
    private Map<String, Long> listedSizes(String dir) throws IOException {
        Map<String, FTPFile> there = new HashMap<>();
        Listed listed = remoteEntries(dir, there);
        if (!listed.whole()) {
            return null;
        }
        Map<String, Long> sizes = new HashMap<>();
        there.forEach((name, f) -> {
            if (!f.isDirectory()) {
                sizes.put(name, f.getSize());
            }
        });
        return sizes;
    }

    private Listed remoteEntries(String dir, Map<String, FTPFile> into) throws IOException {
        boolean[] whole = {true};
        try {
            boolean exact = listing.list(dir, f -> {
                if (f == null || f.getName() == null) {
                    whole[0] = false;
                } else if (into.size() < limits.maxEntries()) {
                    into.put(f.getName(), f);
                } else {
                    whole[0] = false;
                }
            });
            // vsftpd lists a folder that is not there as empty: an empty listing is asked whether the folder is.
            return new Listed(exact, whole[0], into.isEmpty() && !folderExists(dir));
        } catch (RemoteNotFoundException e) {
            // A 550/450 also answers a folder that is there but may not be listed (a drop folder, a busy server):
            // its names are free only when the folder itself is not there.
            boolean absent = !folderExists(dir);
            return new Listed(true, absent, absent);
        }
    }

    /**
     * Makes a remote folder of the tree; false, with the folder refused in words, when the server will not (a file
     * of that name, no permission): nothing below it could go. A transient failure fails the tree, to be run again.
     */
    private boolean makeFolder(String remoteDir, String relDir, Tally tally) throws IOException {
        FtpSession s = engine.pool().borrow(profile);
        try {
            s.mkdirs(remoteDir);
            return true;
        } catch (FtpException e) {
            if (e.isTransient()) {
                throw e;
            }
            tally.refuse(relDir.isEmpty() ? "." : relDir, e.getMessage());
            return false;
        } finally {
            engine.pool().release(s);
        }
    }

    /**
     * The folder to upload into must not be a file on the server: said once (exit 2), as get -r says it, not as a
     * refusal of every subfolder and file whose folder could not be made.
     */
    private void requireNotAFile(String base) throws IOException {
        if (base.equals("/")) {
            return;
        }
        FtpSession s = engine.pool().borrow(profile);
        try {
            if (s.exists(base) && !s.isDirectory(base)) {
                throw new dev.ferry.ftp.RemoteNotFolderException(base, profile);
            }
        } finally {
            engine.pool().release(s);
        }
    }

    /** One file's size by SIZE: -1 when the server cannot say, -2 when it has no such file. */
    private long sizeOf(String remotePath) throws IOException {
        FtpSession s = engine.pool().borrow(profile);
        try {
            return s.size(remotePath);
        } catch (dev.ferry.ftp.RemoteNotFoundException e) {
            return -2;
        } finally {
            engine.pool().release(s);
        }
    }

    private boolean folderExists(String dir) throws IOException {
        FtpSession s = engine.pool().borrow(profile);
        try {
            return s.isDirectory(dir);
        } finally {
            engine.pool().release(s);
        }
    }

    /**
     * @param exact times to the second (MLSD); @param whole every entry is in the map; @param absent the folder is not
     * there
     */
    private record Listed(boolean exact, boolean whole, boolean absent) {
        /** A folder its parent's whole listing lacked: made now, so empty, and not listed. */
        static final Listed MADE = new Listed(true, true, false);
    }

    private void stamp(String remote, long mtime) {
        try {
            FtpSession s = engine.pool().borrow(profile);
            try {
                s.setModified(remote, mtime);
            } finally {
                engine.pool().release(s);
            }
        } catch (IOException e) {
            // Only the next mirror run's test is weaker for it (the server's own time still passes it).
            LOG.debug("cannot set the modification time of {}: {}", remote, e.toString());
        }
    }

    /**
     * The in-process half of "one run per tree" (the ledger's claim in {@link TreeListings#begin} is the other, for
     * other nodes): taken before the claim, since a second claim by this node would fence off the first run's writes.
     * A second run of a tree that runs here is refused, not queued: its request is answered at once, with the reason,
     * and the run that is under way answers for the tree.
     */
    private record Once(String id) implements AutoCloseable {
        private static final Set<String> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static Once of(String id, String what) throws TreeAlreadyRunningException {
            if (!RUNNING.add(id)) {
                throw new TreeAlreadyRunningException("tree " + id + " (" + what + ") is already running in this"
                        + " process; a tree runs once at a time, so this run was not started: run it again once that"
                        + " run has ended (what it moved is then skipped), or cancel that run first");
            }
            return new Once(id);
        }

        @Override
        public void close() {
            RUNNING.remove(id);
        }
    }

    /**
     * The counts and the lanes that run the files. Small files (up to {@link #BATCH_MAX_BYTES}) go in batches: a lane
     * runs up to {@link #BATCH_SIZE} of them one after another inside one ledger commit, as the upload inbox's batch
     * step does, so a tree of small files costs one commit per batch rather than several per file. A larger file runs
     * on its own, with its segments in parallel. The queue is bounded: the walk waits for the lanes, so memory stays
     * flat in the number of files.
     */
    private final class Tally {
        final String id;
        final TreeState state;
        final AtomicInteger files;
        final AtomicInteger transferred;
        final AtomicInteger skipped;
        final AtomicInteger failed;
        final AtomicInteger refused;
        final AtomicLong bytes;
        final AtomicInteger deleted = new AtomicInteger();
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(4 * limits.parallel());
        final ExecutorService lanes = Executors.newFixedThreadPool(limits.parallel(), DaemonThreads.named("ferry-tree-"));
        volatile boolean walked;
        /** The tree was interrupted: the lanes take no more files, and the files under way are cancelled. */
        volatile boolean stopped;
        /** The transfers the lanes run now, for {@link #stopLanes}. */
        final Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** An upload's small files, checked under their final names folder by folder; null for a download. */
        FolderRenames renames;

        Tally(TreeState state) {
            this.id = state.id();
            this.state = state;
            this.files = state.files;
            this.transferred = state.transferred;
            this.skipped = state.skipped;
            this.failed = state.failed;
            this.refused = state.refused;
            this.bytes = state.bytesMoved;
            for (int i = 0; i < limits.parallel(); i++) {
                lanes.execute(this::lane);
            }
            state.onCancel(() -> {
                stopped = true;
                queue.clear();
                running.forEach(engine::cancel);
            });
        }

        /** The cancel's failure, once the lanes have stopped (no lane writes after the tree has returned). */
        private TreeCancelledException cancelled() {
            stopLanes();
            return new TreeCancelledException(state);
        }

        void refuse(String relative, String reason) {
            refused.incrementAndGet();
            note("refused " + relative + ": " + reason);
        }

        /** A file counted transferred that its folder's listing does not show: failed, in the ledger too. */
        void notRenamed(FolderRenames.Sent file, String why) {
            transferred.decrementAndGet();
            failed.incrementAndGet();
            note("failed " + file.relative() + ": " + why);
            engine.ledger().status(file.transferId(), dev.ferry.ledger.TransferStatus.FAILED, why);
        }

        void send(TransferRequest request, long size, String relative, Runnable afterwards, RemoteFile listed,
                  boolean listedFree) throws IOException {
            send(request, size, relative, afterwards, listed, listedFree, null);
        }

        /** {@code folder}: the remote folder an upload's small file is renamed into, listed once it is complete. */
        void send(TransferRequest request, long size, String relative, Runnable afterwards, RemoteFile listed,
                  boolean listedFree, FolderRenames.Folder folder) throws IOException {
            if (state.cancelled()) {
                throw cancelled();
            }
            state.toSend(size);
            try {
                // Each file's transfer names its tree (ferry_transfer.tree_id): the API lists a tree's files by it.
                Job job = new Job(request.inTree(id), size, relative, afterwards, listed, listedFree, folder);
                // Not a plain put: a cancel stops the lanes, and a full queue would then wait for ever.
                while (!queue.offer(job, 100, TimeUnit.MILLISECONDS)) {
                    if (state.cancelled()) {
                        throw cancelled();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopLanes();
                throw new java.io.InterruptedIOException("tree " + id + " interrupted");
            }
        }

        /**
         * Stops the lanes without interrupting them: a lane is often inside the ledger or a server's reply, where an
         * interrupt fails what it meets half way (before the embedded ledger's {@code async:} file system it closed
         * the database under every session: "The database has been closed"). The queue is emptied, no lane starts
         * another file, and the files under way are cancelled through the engine, as the API cancels a transfer: each
         * keeps its segments in the ledger, so the next run resumes it.
         */
        void stopLanes() {
            stopped = true;
            queue.clear();
            running.forEach(engine::cancel);
            lanes.shutdown();
            // Waited for (a cancelled file ends at its next read), so no lane writes after the tree has returned;
            // cancelled again on each look, since a file still being planned at the first cancel was not yet active.
            boolean interrupted = Thread.interrupted();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!lanes.isTerminated() && System.nanoTime() - deadline < 0) {
                try {
                    lanes.awaitTermination(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                running.forEach(engine::cancel);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void lane() {
            try {
                while (!stopped) {
                    Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == Job.END) {
                        return;
                    }
                    if (first == null) {
                        if (walked && queue.isEmpty()) {
                            return;
                        }
                        continue;
                    }
                    if (first.size > BATCH_MAX_BYTES || !BATCHING.tryAcquire()) {
                        finish(first, runClaimed(first, false));
                        continue;
                    }
                    try {
                        batch(first);
                    } finally {
                        BATCHING.release();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * A batch: its files run one after another inside one ledger commit, each under the process's claim on its
         * transfer, held until the commit (only then do other callers see it published). A file another caller in this
         * process holds (a recovered run, the API) is not waited for inside the batch, which holds a ledger
         * connection: it runs alone after the commit, once that caller is done with it; so does one another node
         * holds a live lease on.
         */
        private void batch(Job first) {
            List<Job> taken = new ArrayList<>();
            List<Job> busy = new ArrayList<>();
            Set<Job> heldElsewhere = new HashSet<>();
            List<String> claimed = new ArrayList<>();
            List<Throwable> outcomes = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
            try {
                // Once per batch: one taken over while the batch runs is still refused at its commit.
                Set<String> elsewhere = ClusterView.of(engine.ledger()).heldElsewhere();
                Set<String> refused = engine.ledger().oneCommit(unit -> {
                    Job next = first;
                    while (next != null) {
                        String id = next.request.id();
                        // A file another node runs (it took the transfer over) would be sent here too, and this
                        // commit refused: it runs alone after the commit, where the lease fences it off.
                        if (!elsewhere.contains(id) && engine.claims().tryClaim(id)) {
                            claimed.add(id);
                            taken.add(next);
                            outcomes.add(runOne(next, unit));
                        } else {
                            busy.add(next);
                            if (elsewhere.contains(id)) {
                                heldElsewhere.add(next);
                            }
                        }
                        next = taken.size() + busy.size() < BATCH_SIZE && System.nanoTime() < deadline
                                ? queue.peek() : null;
                        if (next != null && (next.size > BATCH_MAX_BYTES || !queue.remove(next))) {
                            next = null;
                        }
                    }
                    return unit;
                }).refused();
                for (int i = 0; i < outcomes.size(); i++) {
                    String id = taken.get(i).request.id();
                    if (refused.contains(id)) {
                        // Another node took the file's transfer over before the commit: the ledger follows that one,
                        // so neither this batch's success nor its failure of the file is what happened to it.
                        outcomes.set(i, new LostLeaseException(id, "another node took it over during this batch"));
                    }
                }
            } catch (RuntimeException | Error e) {
                // Nothing of this batch is recorded: each of its files counts as failed; the next run sends them.
                for (int i = 0; i < outcomes.size(); i++) {
                    if (outcomes.get(i) == null) {
                        outcomes.set(i, e);
                    }
                }
            } finally {
                claimed.forEach(engine.claims()::release);
            }
            for (int i = 0; i < taken.size(); i++) {
                finish(taken.get(i), i < outcomes.size() ? outcomes.get(i) : new IllegalStateException("not run"));
            }
            for (Job job : busy) {
                finish(job, runClaimed(job, heldElsewhere.contains(job)));
            }
        }

        /**
         * The file's transfer on this thread under the process's claim on it ({@link TransferEngine#claims}): another
         * caller running the same transfer here (start-up recovery, an API resume, an overlapping tree) is waited for,
         * and what it published meanwhile is not moved again. Without the claim both would plan the same part file.
         */
        private Throwable runClaimed(Job job, boolean heldElsewhere) {
            String id = job.request.id();
            boolean waited;
            try {
                waited = engine.claims().claim(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new java.io.InterruptedIOException("tree " + this.id + " interrupted");
            }
            try {
                if (waited && engine.publishedMeanwhile(job.request).isPresent()) {
                    return null;
                }
                if (heldElsewhere) {
                    // Waited for first: run now, it would re-open the row should that node publish it meanwhile, and
                    // meet its file (FAILED over that node's PUBLISHED).
                    return HeldFileWait.until(engine, id, new LostLeaseException(id, "another node holds it"),
                            () -> stopped || state.lost(), () -> runOne(job, UnitOfWork.IMMEDIATE));
                }
                Throwable failure = runOne(job, UnitOfWork.IMMEDIATE);
                if (failure != null && LostLeaseException.in(failure) != null && !stopped && !state.lost()) {
                    failure = HeldFileWait.until(engine, id, failure, () -> stopped || state.lost(),
                            () -> runOne(job, UnitOfWork.IMMEDIATE));
                }
                return failure;
            } finally {
                engine.claims().release(id);
            }
        }

        /**
         * The file's transfer on this thread, its ledger writes in {@code unit}; null when it is published, else why
         * not. The engine must be told of a batch's unit: the row of a transfer accepted inside it is in the batch's
         * memory, not claimed under a lease, and an engine that believed its writes immediate would read a failure of
         * it as a lease lost to another node and record nothing.
         */
        private Throwable runOne(Job job, UnitOfWork unit) {
            if (state.lost()) {
                // Not started: the tree runs on another node now, which sends this file (or sent it already).
                return new LostLeaseException(job.request.id(), "tree " + id + " runs on another node now");
            }
            running.add(job.request.id());
            if (stopped) {
                // Stopped before this file began (stopLanes may not have seen it): it is not started.
                running.remove(job.request.id());
                return new java.io.InterruptedIOException("tree " + id + " interrupted");
            }
            if (job.listed != null) {
                engine.listed(job.request.id(), job.listed);
            }
            if (job.listedFree) {
                engine.listedFree(job.request.id(), true);
            }
            try {
                TransferResult r = engine.runAccepted(engine.accept(job.request), unit);
                bytes.addAndGet(r.bytesMoved());
                return null;
            } catch (Exception e) {
                return e;
            } finally {
                running.remove(job.request.id());
                if (job.listed != null) {
                    engine.listed(job.request.id(), null);
                }
                if (job.listedFree) {
                    engine.listedFree(job.request.id(), false);
                }
            }
        }

        private void finish(Job job, Throwable failure) {
            state.sent(job.size);
            if (job.folder != null) {
                String remote = job.request.remotePath();
                job.folder.ended(failure != null || state.cancelled() ? null : new FolderRenames.Sent(
                        remote.substring(remote.lastIndexOf('/') + 1), job.size, job.request.id(), job.relative));
            }
            if (failure != null && state.cancelled()) {
                // Not a failure of the file: what it moved is kept for the tree's next run.
                return;
            }
            if (failure == null) {
                if (job.afterwards != null) {
                    job.afterwards.run();
                }
                transferred.incrementAndGet();
            } else {
                failed.incrementAndGet();
                note("failed " + job.relative + ": " + (failure.getMessage() == null ? failure.toString()
                        : failure.getMessage()));
            }
        }

        void note(String line) {
            LOG.warn("tree {}: {}", id, line);
            if (problems.size() < MAX_PROBLEM_LINES) {
                problems.add(line);
            }
        }

        TreeResult finish() throws IOException {
            walked = true;
            lanes.shutdown();
            try {
                // One end mark per lane, behind the last file: a lane idle in its poll ends at once rather than at
                // the poll's timeout (up to 100 ms of every tree's run). Offered while lanes live, so a full queue
                // of lanes that have stopped never blocks the finish.
                for (int i = 0; i < limits.parallel() && !lanes.isTerminated(); ) {
                    if (queue.offer(Job.END, 100, TimeUnit.MILLISECONDS)) {
                        i++;
                    }
                }
                while (!lanes.awaitTermination(1, TimeUnit.SECONDS)) {
                    // the lanes end once the queue is empty
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopLanes();
                throw new java.io.InterruptedIOException("tree " + id + " interrupted");
            }
            if (state.lost()) {
                throw new LostLeaseException(id, "another node took tree " + id + " over and runs it; this run"
                        + " stopped starting its files");
            }
            if (state.cancelled()) {
                throw new TreeCancelledException(state);
            }
            TreeResult result = new TreeResult(id, files.get(), transferred.get(), skipped.get(), failed.get(),
                    refused.get(), bytes.get(), List.copyOf(problems), deleted.get());
            TreeCounters.ended(result);
            state.finished(result);
            LOG.info("tree {}: {} files, {} transferred ({} bytes), {} already there, {} failed, {} refused", id,
                    result.files(), result.transferred(), result.bytesMoved(), result.skipped(), result.failed(),
                    result.refused());
            return result;
        }
    }

    /**
     * @param listed     what the listing said of a download's source (planning asks the server less), null for uploads
     * @param listedFree an upload's final name was absent from its folder's whole listing (planning need not ask)
     */
    private record Job(TransferRequest request, long size, String relative, Runnable afterwards, RemoteFile listed,
                       boolean listedFree, FolderRenames.Folder folder) {
        /** The walk's end, to a lane: larger than any batch takes, so a batch's look ahead never removes it. */
        static final Job END = new Job(null, Long.MAX_VALUE, "", null, null, false, null);

        /**
         * The job itself, not an equal one: a batch takes the queue's head by {@code remove(job)}, which compared whole
         * requests field by field for every file.
         */
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
