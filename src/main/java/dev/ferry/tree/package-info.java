/**
 * A folder as one verified transfer per file (issue 18): the walk, the per-file runs, the tree's parent record, and
 * how folder requests are accepted, run, retried and given up.
 *
 * <h2>Running a tree</h2>
 * <ul>
 *   <li>{@link TreeRun}: a download walks the remote tree and runs each file as an ordinary transfer
 *       ({@code TransferEngine.run}), at most {@link TreeLimits#parallel()} in flight; an upload goes a local folder at
 *       a time against its remote listing, making a folder the server lacks before its files (so empty ones go too).
 *       Mirror skips, downloading, a local file with the remote size and MDTM and, uploading, a remote file of the
 *       same size no older than the local one (Ferry stamps what it publishes with MFMT), so a second run moves nothing. {@link TreeResult} holds
 *       the counts and one line per failed or refused entry.</li>
 *   <li>Files of up to 1 MiB run on the tree's own lanes in batches of one ledger commit
 *       ({@code JdbcLedger.oneCommit}, as {@code camel.BatchLanes}); larger ones alone with their segments. Each file
 *       runs under the process's claim on its transfer ({@code transfer.Claims}), so a recovered or API run of the
 *       same file is waited for and what it published is not moved again. A bounded queue between the walk and the
 *       lanes keeps memory flat.</li>
 *   <li>A download's listing entry is handed to its planning ({@code TransferEngine.listed}): the size, and the time
 *       where exact (MLSD), are not asked again; publishing still compares a fresh stat. An upload whose final name
 *       its folder's whole listing lacked is not looked at again before sending ({@code TransferEngine.listedFree}).
 *       Its small files are not asked for by final name one by one either: {@link FolderRenames} lists each remote
 *       folder once after its last small file ended and fails a file the listing (then one SIZE) does not show with
 *       its size, i.e. a server that answered RNTO with 250 and renamed nothing.</li>
 *   <li>{@link HeldFileWait}: a file another node holds a live lease on waits up to two leases: done when that node
 *       publishes it, run here once its lease runs out.</li>
 *   <li>Stopping: a stopped download (Ctrl-C, the service stopping, an error) stops its walk
 *       ({@code TreeListing.stop}); the walk is joined before {@code download} returns. An interrupted tree stops its
 *       lanes without interrupting them (no new file starts, the files under way are cancelled through the engine and
 *       waited for), so each file's last writes are made, not failed half way.</li>
 * </ul>
 *
 * <h2>Listing</h2>
 * <ul>
 *   <li>{@link RemoteTree}: depth first, one directory's listing in memory, refusals per entry: {@link HostileNames}
 *       ({@code /}, {@code \}, {@code .}/{@code ..}, CR/LF, NUL, control characters, undecodable, too long, Ferry's
 *       own work names), symbolic links never followed, {@link TreeLimits} depth and entry caps. A name listed twice
 *       in one folder is taken once (same facts) or its second entry refused; a listing cut by a transient failure is
 *       tried again from its start, up to 3 times; a subfolder that lists as empty but cannot be entered
 *       ({@code ListingSource.enterable}, a CWD) is refused, so mirror's delete keeps what it holds.</li>
 *   <li>{@link ListingSource} + {@link PooledListing}: MLSD where offered, else LIST, via {@code FtpSession.list} on a
 *       pooled session. {@link TreeEntry}: one file by its relative path.</li>
 *   <li>{@link TreeListing}: a download's walk runs on a thread of its own and writes the listing into the ledger
 *       ({@code ledger.TreeListings}, 500 entries a page, and at each folder's end); files are read back a page at a
 *       time behind it, so memory is flat in the number of entries, and a tree whose walk ended but whose files did
 *       not resumes from the ledger's listing without listing the server (unless {@code relist}).</li>
 *   <li>Names: the walk checks a name only ({@code plan.PathGuard.localName}: {@code ..}, absolute, control
 *       characters); links on the disk are checked when the entry is read back to be run ({@code PathGuard.Root}, the
 *       root's real path looked up once per run), the check nearest the write, which also sees a link planted after
 *       the walk.</li>
 *   <li>{@link TreeFilter}: include/exclude globs, newer-than, and mirror's delete of extraneous local files
 *       (download only, per folder whose listing was whole), through the folders it opened
 *       ({@code transfer.FolderFiles.openFolder}, a {@code SecureDirectoryStream}: never a path looked up again, so a
 *       folder swapped for a link deletes nothing outside). The upload walk opens each subfolder the same way.</li>
 * </ul>
 *
 * <h2>The tree's parent</h2>
 * {@link TreeState}: the counts {@code TreeRun} counts with, bytes and ETA, {@code running()} for the API, page and
 * metrics, paired {@code treeStarted}/{@code treeFinished} events ({@code progress.TreeView}), and its
 * {@code ferry_tree} row written every 2 s and at the end. {@code TreeState.cancel} (the API's cancel) stops the
 * lanes without waiting; the run ends {@code CANCELLED} with {@link TreeCancelledException}, which files its request
 * or folder in {@code .failed/} and drops its order; its listing stays, so sent again it resumes.
 * {@link TreeCounters}: trees and files by outcome for the metrics, since skipped and refused files never become
 * transfers.
 *
 * <h2>Requests for folders</h2>
 * <ul>
 *   <li>{@link TreeRequests} (the {@code ferryTrees} bean): a request whose remotePath ends in {@code /} or says
 *       {@code "recursive": true} is a tree ({@code isTree}, in routes/download-requests.yaml). A request file runs on
 *       the inbox route. A queue message or {@code POST /api/transfers} is {@code accept}ed: the order into
 *       {@code ledger.TreeOrders} and the tree's row as {@code ACCEPTED}, unclaimed, in one transaction
 *       ({@code ledger.TreeAcceptance}) before the ack or the 202, or refused (409, dead letter) with nothing written
 *       while the tree runs here or on another node. It is then run by {@code runAccepted} from the
 *       {@code ferry-trees} route ({@code seda:ferry-trees}), again at start-up while its order is there. The order
 *       goes once the tree ran (claimed and ended, whatever the outcome).</li>
 *   <li>A file request whose path turns out to be a folder ({@code ftp.RemoteFolderException} from the download
 *       planner) is caught by an {@code onException} of routes/error-handling.yaml (not a {@code doTry}, inside which
 *       Camel's error handling would not apply): {@code ferry-inbox}'s for request files ({@code downloadFolderFound})
 *       and {@code ferry-queue}'s for {@code ferry-transfers} ({@code acceptFolderFound}: queue, API, recovery). It
 *       becomes the same tree as with the {@code /} ({@code folderRequest}: into where the file would have gone), and
 *       the file's transfer is recorded FAILED naming the tree (a file of a tree whose path became a folder only
 *       fails, naming its tree). A folder request resolves a relative remotePath in the server's {@code remote-dir},
 *       and {@code "localPath":"dir/"} as "into {@code dir}, under the remote name", as a file's does. Recovery
 *       counts a request file's folder tree as one that runs again.</li>
 *   <li>Runs: one per tree id at a time in a process ({@link RunLocks}, a lock held only while wanted); a second is
 *       refused with {@link TreeAlreadyRunningException} before the ledger's claim, which keeps other nodes out. A run
 *       that never started because the tree runs elsewhere keeps its order and sends it back to
 *       {@code seda:ferry-trees} after 1 s doubling to 30 s, or as soon as this process's run of the tree ends.</li>
 *   <li>{@link TreeRetries}: a failure before the claim is tried again on a transfer's terms ({@code maxAttempts};
 *       the outage wait, which also covers the ledger down; none for a permanent failure: login refused, PathGuard, a
 *       local folder denied, taken by a file or under one). Then it is given up: the tree {@code FAILED} with its
 *       reason ({@code TreeListings.failedBeforeRun}, on any row no live lease holds; {@code ferry_tree.reason},
 *       which a claimed run's failure also writes), the order dropped, one {@code treeFinished}
 *       ({@link GivenUpTree}). A give-up the ledger cannot record is tried again later; a stop
 *       (interrupt, Camel stopping) keeps the order for the next start.</li>
 *   <li>{@link InboxTrees}: the upload inbox's folders (through {@code inbox.FolderUploads}), walked again after a
 *       complete upload until a walk finds nothing to send, so a file put in after the walk passed is not filed in
 *       {@code .done/} unsent.</li>
 * </ul>
 * The command line runs trees for {@code get -r}/{@code put -r} ({@code --relist}); request files may say
 * {@code "relist": true}.
 */
package dev.ferry.tree;
