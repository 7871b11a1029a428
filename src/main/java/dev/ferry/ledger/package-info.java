/**
 * The durable record of transfers, segments and folder runs, and the cluster's coordination: leases, fencing,
 * connection slots and the inbox election, all on one SQL database.
 *
 * <h2>The store</h2>
 * <ul>
 *   <li>{@link JdbcLedger}: transfers ({@link TransferRecord}, {@link TransferStatus}) and segment offsets
 *       ({@link SegmentRecord}) on H2 (default, {@code data/ledger}) or PostgreSQL. The embedded H2 file is opened
 *       on H2's {@code async:} file system, which waits out an interrupt; on a plain file channel an interrupted
 *       thread's write closed the database under every session. {@code acceptAsSeen} takes the row's lock, so a
 *       copy of a request judged on an unfinished row does not re-open a row another node published since.
 *       A file's transfer names its tree ({@code ferry_transfer.tree_id}, {@code TransferRecord.tree};
 *       {@code inTree}).</li>
 *   <li>{@link LedgerPool} opens the Hikari pool (12 connections). For a {@code ferry get|put} of one file
 *       {@link DirectConnections} is used instead ({@code JdbcLedger.h2ForOneFile}): H2 sessions without a pool,
 *       refusing new sessions once closed.</li>
 *   <li>{@link LedgerSchema}: a new database gets the tables in their current form, an older one only the ALTERs
 *       {@code information_schema} says it lacks, and only when {@code isCurrent} finds a table or column missing,
 *       so an existing ledger gets new tables at its next open. {@link Sql} is the shared JDBC plumbing;
 *       {@code Sql.ddl} runs schema changes under a PostgreSQL advisory lock, each try waiting 2 s for a busy
 *       table's lock ({@code lock_timeout}) then letting other sessions through, up to 10 tries (each ALTER takes
 *       its table's exclusive lock).</li>
 *   <li>{@link LedgerException}: a failed operation, named without credentials.</li>
 * </ul>
 *
 * <h2>Batches: one commit for many transfers</h2>
 * {@link OneCommit} is the scope behind {@code JdbcLedger.oneCommit}: every write a thread makes goes into one
 * commit, and the scope is handed to its work as a {@link UnitOfWork} ({@code deferred()}, {@code whenEnded},
 * {@code refused()}; {@code UnitOfWork.IMMEDIATE} outside a batch). Only the ledger looks the current scope up;
 * everyone else is handed it. A transfer the scope accepts lives in {@link ScopedRows} (in memory, every change
 * checked as the tables would) and is written once, in its final state, at the commit; writes to rows already in
 * the tables get a savepoint each. A scope holds a pooled connection until its commit, so at most the pool's size
 * less four ({@code LedgerPool.scopesFor}: 12 - 4 = 8, the batch lanes' default) hold one at once; the rest wait
 * holding nothing, leaving connections for the borrows a scope's own work makes (a connection slot) and for leases.
 *
 * <h2>Other records</h2>
 * <ul>
 *   <li>{@link DoneSegments}: Camel's {@code IdempotentRepository} of finished segments ({@code <id>#<index>}),
 *       the registry's {@code ferryLedger}, so the split skips segments an earlier run finished.</li>
 *   <li>{@link ServerNotes}: what was learnt about a server, kept across runs until it expires (the command line's
 *       upload probe).</li>
 *   <li>{@link Retention}: published transfers and folder runs that ended DONE, older than
 *       {@code ferry.ledger.keep-days}, leave the ledger in batches of 500 (hourly, by
 *       {@code service.LedgerUpkeep}); failed and cancelled ones stay.</li>
 *   <li>{@link TreeOrders}: folder requests from the queue or the API, kept from their acceptance until their tree
 *       has run ({@code ferry_tree_order}, per node; start-up runs what is left). {@code takeOver} gives the orders of a node whose {@code ferry_node} heartbeat is older than a lease
 *       to a live node ({@code FOR UPDATE SKIP LOCKED}), unless a live lease holds the tree.</li>
 *   <li>{@link TreeAcceptance}: writes an order with its tree's row in one transaction, claiming nothing (status
 *       {@code ACCEPTED}, no owner or lease); refused while the tree runs here or under another node's live lease,
 *       except for a file's request found to be a folder, already acknowledged, whose order waits beside the
 *       run.</li>
 *   <li>{@link TreeListings}: tree parents ({@code ferry_tree}: status, whether the walk ended, counts) and a
 *       download's listing ({@code ferry_tree_entry}, by {@code seq} in listing order, paged both ways, deleted when
 *       the tree ends). {@code begin} claims the tree's row as a transfer's is claimed (owner, epoch,
 *       {@code lease_until} renewed by {@link Leases} with the transfers; {@code TreeRunningException} while another
 *       node's lease is live), and every write of the run is fenced by that claim. A row that says LISTING/RUNNING
 *       but that no run holds reads as {@code INTERRUPTED}; {@code runningNow} lists the trees a run does hold;
 *       {@code failedBeforeRun} records a tree given up before it ran.</li>
 *   <li>{@link ClusterView}: reads {@code ferry_node} and the owners for {@code /api/transfers} and
 *       {@code /observe/health}.</li>
 * </ul>
 *
 * <h2>Failure model: several nodes on one ledger</h2>
 * <ul>
 *   <li><b>Leases.</b> {@link Leases} + {@link Claim}: a running transfer's row names its owner
 *       ({@code ferry.node-id}), an epoch raised by every claim, and {@code lease_until} on the database's clock,
 *       never a JVM's. {@code claimUnfinished} claims rows with {@code SELECT ... FOR UPDATE SKIP LOCKED} (start-up
 *       recovery and, every lease / 3, the takeover of rows whose lease ran out), so two nodes never claim one row.
 *       {@code tick}, called from the engine's ticker, renews this node's leases and heartbeat every lease / 3 on a
 *       thread of its own, so a hanging database cannot stop the self-fencing check. {@code Leases.close} lets a
 *       renewal under way finish (up to 2 s): an interrupted renewal is a renewal lost. A stop's last writes (the
 *       heartbeat marked stopped, the connection slots given back in one write) wait at most 2 s each
 *       ({@code Sql.inNewTxWithin}): a ledger that does not answer held a stop a minute, past a container's grace.</li>
 *   <li><b>Fencing.</b> Every write for a transfer (checkpoint, segment done, split, status, publish, and a check
 *       just before the file is published) starts its transaction with
 *       {@code UPDATE ferry_transfer ... WHERE id = ? AND owner = ? AND epoch = ?}, holding the row's lock to the
 *       commit. No row means {@link LostLeaseException}, counted ({@code Leases.fencedOff}), and that transfer stops
 *       on this node without touching its files or recording an end (the listener's {@code transferStopped}).</li>
 *   <li><b>Self-fencing.</b> A node that has not renewed for two thirds of a lease gives every claim up and stops
 *       those transfers, before another node may take them at the lease's end; when a partition heals, the old
 *       node's late writes are refused by the epoch. {@code Leases.fresh}: the movers write bytes only while the last
 *       renewal that worked is younger than two thirds of a lease, so a node woken from a freeze stops before it
 *       writes into a file another node took over.</li>
 *   <li><b>Displacement.</b> A node whose heartbeat row another process took (its mark, {@code ferry_node.process},
 *       written by every renewal only while it is still this process's) is displaced: it gives up every claim,
 *       claims nothing more, and the service stops with exit 1. A stopped node's mark is {@code stopped}.</li>
 *   <li><b>Open transactions.</b> A write cut off mid-way leaves its transaction open on the server, holding the row
 *       lock that others' {@code SKIP LOCKED} claims pass over; so every PostgreSQL session carries
 *       {@code idle_in_transaction_session_timeout} = two leases and the driver's {@code socketTimeout} = three
 *       ({@code Leases.withSessionTimeouts}).</li>
 *   <li><b>Takeover and storage.</b> With {@code ferry.cluster.shared-storage} a taken-over download continues from
 *       its part file and offsets, an upload from its inbox file. Without it, the claim of a download another node
 *       ran deletes its segments in the claim's transaction (it restarts with a new part file here), and another
 *       node's uploads are never claimed (their source is on its disk). An embedded H2 ledger has one node, whose
 *       files are always its own. No mode publishes a file from two nodes' disks; a node that lost a transfer
 *       deletes and renames nothing for it (the planners' first write is the fenced one).</li>
 *   <li><b>Batches.</b> A batch writes its rows at its commit, so it leaves a transfer another node holds a live
 *       lease on until after the commit, where the fenced path refuses it. A row another node claimed while the
 *       batch ran is left as that node wrote it ({@code UnitOfWork.refused}); one stopped because this node's last
 *       renewal was too old runs alone after the commit instead of failing its drop.</li>
 *   <li><b>What waits for the new owner.</b> An inbox file whose transfer this node lost is not moved to
 *       {@code .failed/}: {@code camel.LostLeaseWait} keeps the exchange until the ledger says how the new owner
 *       ended it (or this node claims it back); a folder's file another node holds waits likewise
 *       ({@code tree.HeldFileWait}, up to two leases). Such a transfer ends here with the listener's
 *       {@code transferStopped} (event {@code stopped}), not a failure.</li>
 *   <li><b>Duplicates.</b> A broker message delivered again after its transfer was published (the node that took it
 *       died before acknowledging) is done ({@code camel.DeliveredAgain}). A copy of a request whose node saw the row
 *       unfinished while another node ran it does not re-open the row: {@code acceptAsSeen} takes the row's lock,
 *       finds it published since, and the copy is judged on the published row.</li>
 *   <li><b>Connection slots.</b> On a shared (non-H2) ledger the FTP pool's cap is {@link ConnectionSlots} (an
 *       {@code ftp.ConnectionPermits}): a connection holds a {@code ferry_slot} row ({@code slot < limit}) leased on
 *       the database's clock and renewed every lease / 3, so a dead node's slots come free with its lease. A 421
 *       writes {@code ferry_server_limit}, which every node reads once a second. A node cut off gives its slots up
 *       two thirds of a lease after its last good renewal ({@code whenLost}: idle connections closed at once, busy
 *       ones when given back, freeing nothing in the table). A late renewal that finds a slot gone moves the
 *       connection to a free slot below the limit or, with none, closes one connection.</li>
 *   <li><b>The inbox election.</b> {@link Election}: one leader per name under a lease in {@code ferry_election}
 *       (used through {@code service.LedgerClusterService} for {@code ferry.cluster.inbox=master}). No node takes
 *       the lead while a node of a version from before the election (fresh heartbeat, no process mark) is alive:
 *       that version took the shared inboxes by a lock file.</li>
 * </ul>
 */
package dev.ferry.ledger;
