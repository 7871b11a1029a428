/**
 * The engine: the one owner of a transfer's lifecycle, and everything that plans, moves, verifies and publishes a
 * file's bytes. Every adapter (Camel steps, web API, recovery, the command line, folder runs) only calls it.
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link TransferEngine}: claim, accept, plan, run the segments, then publish, restart or fail.
 *       {@code run} chains the steps on the engine's own threads (the command line, a folder's files);
 *       {@code runAccepted(request, unit)} runs a batch's transfer inside its ledger {@code UnitOfWork};
 *       {@code publishOrRestart} ends a Camel split; also cancel, discard and {@code claimUnfinished} for recovery.
 *       {@code check} publishes nothing under a work name ({@link PartFiles#isWorkName}), nor a download under a local
 *       name over 255 bytes. {@code listed}/{@code listedFree} take what a folder's listing already says (size,
 *       exact time, a free final name) so planning does not ask again.</li>
 *   <li>{@code letGo} and {@code stopUnended}: a queued run that fails before the engine ends it (a ledger call that
 *       did not answer) is let go from this node's lease so the claim loop runs it again; a planned run whose
 *       exchange failed for a reason the engine never saw is ended first (nothing recorded), or it stayed among the
 *       running transfers for ever, its lease renewed, run by no node.</li>
 *   <li>{@link Claims}: which transfers a caller in this process works on, one map per process; {@code claim} waits,
 *       {@code tryClaim} refuses.</li>
 *   <li>{@link Restarts}: a changed source starts over, at most twice, after it settles; the same budget on every
 *       path.</li>
 *   <li>{@link FirstFailure}: the first real failure wins over the cancels it caused (also the Camel aggregation's
 *       rule); an interrupt (the process stopping) records nothing, so the next start resumes.</li>
 *   <li>{@link Retries} and {@link Attempts}: one set of retry terms for planning, segments and publishing: attempts
 *       in a row without progress, 0.2 s doubling to 5 s apart; a server that cannot be reached at all is waited for
 *       up to its {@code outageWait}, 1 s doubling to 30 s, without using attempts up.</li>
 * </ul>
 *
 * <h2>Planning</h2>
 * <ul>
 *   <li>{@link DownloadPlanner}/{@link UploadPlanner} with {@link SegmentPlanner}
 *       ({@code clamp(ceil(size / min), 1, limit)} segments): fingerprint, resume or fresh plan, part file, upload
 *       strategy. A remote folder at an upload's target is refused before sending, or found at the failed rename
 *       ({@link UploadTargetIsFolderException}, the copy removed); a source gone takes an earlier run's partial copy
 *       on the server with it. A download of a path that is a folder throws {@code ftp.RemoteFolderException} (MLST
 *       says dir, or SIZE/MLST say 550 and one CWD works, so only the failure path pays).</li>
 *   <li>{@link PartFiles}: {@code .<name>.ferry-<id>.part}, on the server with an id of the transfer's and the
 *       ledger's instance, cut on a character boundary to stay within 255 bytes.</li>
 *   <li>{@link FolderFiles}: a folder's file opened from the given folder one name at a time (openat, O_NOFOLLOW;
 *       {@code openFolder} is a {@code SecureDirectoryStream}), so a folder swapped for a link is never read or
 *       deleted through.</li>
 *   <li>{@link LocalTarget}: a download's final name and the {@code FileExist} rule, checked before a byte moves and
 *       at the rename; {@code requireSameFolder} refuses a target folder swapped for a link meanwhile.</li>
 * </ul>
 *
 * <h2>Moving bytes</h2>
 * <ul>
 *   <li>{@link SegmentRunner}: runs segments with retry and backoff, then work stealing by rate.
 *       {@link LiveTransfer}/{@link LiveSegment} hold the in-memory state; stealing and checkpoints are serialised
 *       against the ledger, and a thief splits above the bytes the victim has claimed for the wire, so no byte is
 *       sent twice.</li>
 *   <li>{@link AdaptiveWidth} decides how many connections a transfer without a fixed segment count should have, from
 *       the rate each addition brought (a pure controller on times and bytes). {@link AdaptiveLanes} opens a
 *       connection as an early steal, retires one by leaving the rest of its segment to the next connection, and
 *       stops growing silently at a 421, a full cap, the request's rate limit or {@code ferry.segments.max} (also a
 *       server's default {@code connection-limit}). A connection the server will not serve one more segment
 *       (vsftpd's "500 OOPS" when its passive ports run out, any 5xx on an added lane or on a segment a planned lane
 *       took after its own) ends alone: the segment goes back whole and the cap is lowered to what is open. A
 *       planned segment's own run never ends so, since its Camel exchange must not end as if done.</li>
 *   <li>{@link SplitLanes}: the same for a transfer the Camel split runs: the plan's segments are the first lanes,
 *       each split exchange runs one, the last to end waits for the lanes added beside them. A segment stopped by
 *       another lane's failure reports that failure, not its cancel, so the inbox files the drop as failed.</li>
 *   <li>{@link DownloadMover}/{@link UploadMover} (via {@link SegmentMover}, {@link Checkpoints}): bytes through one
 *       buffer per segment ({@link Buffers}: sized to what the segment moves, 4 KiB to 64 KiB); checkpoints are
 *       "force, then record" for downloads and the server's 226 or SIZE for uploads. {@link RateLimiter} keeps a
 *       transfer's segments under its rate limit.</li>
 *   <li>Upload hashing: a file sent whole in one stream is hashed on the way out, except one of up to 1 MiB, whose
 *       SHA-256 taken at planning is compared with the server's (and proven again before the rename by its change
 *       time, or by reading it again where that moved). To a server without a hash, a file of up to 1 MiB is proven
 *       by {@link SentSha256}: the SHA-256 of every byte this run's streams sent, kept after each write so a cut
 *       stream resumes from the last write the server's SIZE covers; a new run starts from byte 0.</li>
 *   <li>Stalls: {@link StalledWrites} closes an upload stream whose write has been blocked for the data timeout
 *       (the engine's ticker; a write has no timeout of its own), and the segment is retried. {@link TrickleWatch}
 *       treats a download that brings less than 1 KiB per data timeout as stalled (a server keeping the connection
 *       alive a few bytes at a time, which no read timeout catches); a stall is never progress, so a server that
 *       only trickles fails after its attempts.</li>
 * </ul>
 *
 * <h2>Verifying and publishing</h2>
 * <ul>
 *   <li>{@link DownloadPublisher}/{@link UploadPublisher}: ledger completion ({@link Completion}: the done segments
 *       tile the file), size, hash, then an atomic rename (local rename, or RNFR/RNTO). A download's folder must
 *       still be the one it began in, checked before and just before the rename.</li>
 *   <li>{@link HashCheck}: the server's hash beside ours, which also proves the size (an upload asks SIZE only
 *       without one). {@link StreamCheck}: a long upload in one stream is verified range by range on a spare
 *       connection while it streams ({@code XSHA256 path start end}).</li>
 *   <li>{@code UploadPublisher.requireRenamed}: a server may answer RNTO with 250 and rename nothing, so the final
 *       name is asked for after the rename: for every file on its own, and for a folder's files over 1 MiB (a
 *       folder's small files are checked by {@code tree.FolderRenames}). {@code requireStillFree}: under fileExist
 *       Fail, an upload planned a second or more ago asks again whether its final name is free before RNTO, which
 *       replaces on most servers.</li>
 *   <li>{@link ServerCopy}: whether the server's file holds the local bytes (its hash beside ours, or a small file
 *       read back), asked where sending again is the alternative.</li>
 * </ul>
 *
 * <h2>Waiting aside for a server</h2>
 * {@link ServerWaits}: where a route lets a transfer wait aside (exchange property {@code FerryWaitAside}:
 * {@code queue} in {@code ferry-transfers}, {@code inbox} for request files), one whose server cannot be reached, at
 * planning, in a segment or at publishing, steps aside instead of waiting on its thread: {@link ServerAwayException}
 * (no cause, so the route's {@code onException} for it is the one Camel picks), nothing recorded, its row unfinished
 * and its lease kept. One login per server (1 s doubling to 30 s) finds the server back (any FTP reply, even a
 * refusal; not a connection slot the ledger could not give) and sends every waiting transfer back by its
 * {@code Comeback} in the order they came: into the queue ({@code resendWith}), or, for a request file, by letting
 * {@code camel.ServerAwayFiles} stop holding it back. Each transfer keeps its own outage clock; one whose wait ran
 * out is sent back too and fails at that try on the engine's one failure path. A transfer for a server known to be
 * away waits without a connect; a cancel is immediate; the API shows {@code waiting}.
 */
package dev.ferry.transfer;
