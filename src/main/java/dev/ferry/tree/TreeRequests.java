package dev.ferry.tree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.camel.RequestParser;
import dev.ferry.ledger.TreeListings;
import dev.ferry.ledger.TreeOrders;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.TransferOptions;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;

/**
 * Download requests that name a folder ({@code "recursive": true}, or a remotePath ending in {@code /}), the
 * {@code ferryTrees} bean: the routes (routes/download-requests.yaml) choose it by {@link #isTree} instead of the
 * single-file pipeline. The tree goes into {@code localPath} under the download folder (default: the remote folder's
 * name). A request file runs on the inbox route's thread ({@link #download}) and moves to .done/ only when every file
 * is verified, else to .failed/ with the files that failed; a queued message or an API request is accepted durably
 * first ({@link #accept}), then run from seda:ferry-trees ({@link #runAccepted}).
 */
public final class TreeRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REASON_LINES = 50;
    /** One run at a time per accepted tree in this process. */
    private static final RunLocks RUNS = new RunLocks();
    /**
     * The first wait of an order whose tree could not run, doubled at each refusal up to the last: another node's run
     * may take hours, and asking once in 30 s costs one row lock; a run in this process wakes its waiter at its end.
     */
    private static final long FIRST_WAIT_MILLIS = 1000;
    private static final long LAST_WAIT_MILLIS = 30_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TreeRequests.class);

    private final TransferEngine engine;
    private final Supplier<String> defaultServer;
    private final Path downloadDir;
    private final TreeLimits limits;
    /** Orders waiting to be sent again, by tree id; its lock guards them, the timer and closed too. */
    private final Map<String, Wait> waits = new java.util.HashMap<>();
    /** What an order that failed before its run may still spend on retries, by tree id; under the lock of waits. */
    private final Map<String, TreeRetries> budgets = new java.util.HashMap<>();
    private volatile java.util.function.Consumer<String> again;
    private volatile java.util.function.BooleanSupplier stopping = () -> false;
    private volatile java.util.function.UnaryOperator<String> remoteDirs = server -> "/";
    private java.util.concurrent.ScheduledExecutorService timer;
    private boolean closed;

    public TreeRequests(TransferEngine engine, Supplier<String> defaultServer, Path downloadDir, TreeLimits limits) {
        this.engine = engine;
        this.defaultServer = defaultServer;
        this.downloadDir = downloadDir.toAbsolutePath().normalize();
        this.limits = limits;
    }

    /** True for a request that names a folder; anything unreadable is left to the single-file path to refuse. */
    public boolean isTree(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                return false;
            }
            JsonNode recursive = root.get("recursive");
            JsonNode remote = root.get("remotePath");
            return recursive != null && recursive.asBoolean(false)
                    || recursive == null && remote != null && remote.isTextual() && remote.asText().endsWith("/");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs the tree on the calling thread; the summary, or an exception whose message lists what failed. */
    public String download(Exchange exchange) throws IOException {
        String source = exchange.getIn().getHeader(Exchange.FILE_NAME, "request", String.class);
        Order o = read(exchange.getIn().getBody(String.class), source);
        try {
            return run(new TreeRun(engine, o.server, limits).relist(o.relist).confinedTo(downloadDir), o);
        } finally {
            wake(idOf(o));
        }
    }

    /**
     * A request file asked for one file whose remote path is a folder (its planning threw
     * {@link dev.ferry.ftp.RemoteFolderException}; the exchange's accepted request says which): runs that folder on the
     * calling thread as {@link #download} would have, had its remotePath ended in {@code /}.
     */
    public String downloadFolderFound(Exchange exchange) throws IOException {
        dev.ferry.plan.TransferRequest file = fileOf(exchange);
        String source = exchange.getIn().getHeader(Exchange.FILE_NAME, "request", String.class);
        Order o = read(folderRequest(file), source);
        String id = idOf(o);
        runsAs(file, id);
        try {
            return run(new TreeRun(engine, o.server, limits).relist(o.relist).confinedTo(downloadDir), o);
        } finally {
            wake(id);
        }
    }

    /**
     * {@link #downloadFolderFound} for a request from the queue, the API or recovery: the folder is {@link #accept}ed as
     * such a request would have been; its tree id, for seda:ferry-trees.
     */
    public String acceptFolderFound(Exchange exchange) {
        dev.ferry.plan.TransferRequest file = fileOf(exchange);
        // Its caller was answered already (the API's 202, the queue's acknowledgement): a tree running now makes this
        // order wait for that run (runAccepted), it does not refuse it.
        String id = accept(folderRequest(file), "transfer " + file.id(), true);
        runsAs(file, id);
        return id;
    }

    /**
     * The folder request a file's request becomes when its remote path is a folder: the same server, remotePath and
     * options with a trailing {@code /}, into where the file would have gone (the same tree, the same id, as the request
     * with the {@code /}).
     */
    public String folderRequest(dev.ferry.plan.TransferRequest file) {
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(dev.ferry.plan.Requests.toJson(file));
            n.remove("tree");
            n.remove("sourceRoot"); // the service's own (its download directory), never a request's field
            n.put("remotePath", file.remotePath().endsWith("/") ? file.remotePath() : file.remotePath() + "/");
            Path local = Path.of(file.localPath()).toAbsolutePath().normalize();
            n.put("localPath", local.startsWith(downloadDir) ? downloadDir.relativize(local).toString()
                    : local.toString());
            return JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The tree a single file's request already became (its remotePath was found to be a folder, and the ledger has that
     * tree), or null: a request file such as this one runs that tree again when the inbox takes it.
     */
    public String folderFoundTreeOf(dev.ferry.plan.TransferRequest file, String source) {
        if (file.direction() != Direction.DOWNLOAD || file.tree() != null) {
            return null;
        }
        String id = treeIdOf(folderRequest(file), source);
        return engine.ledger().treeListings().get(id) != null ? id : null;
    }

    private dev.ferry.plan.TransferRequest fileOf(Exchange exchange) {
        dev.ferry.plan.TransferRequest file = exchange.getProperty(dev.ferry.camel.FerryConstants.REQUEST,
                dev.ferry.plan.TransferRequest.class);
        if (file == null) {
            throw new IllegalStateException("no accepted request on the exchange (ferry:accept runs first)");
        }
        if (file.tree() != null) {
            // Run as a tree of its own it would take the whole folder, inside its tree's, without that tree's filters.
            String reason = "remote path " + file.remotePath() + " on " + file.server() + ", a file of tree "
                    + file.tree() + " when it was listed, is now a folder: it is not downloaded; run tree "
                    + file.tree() + " again with \"relist\": true to take what the folder holds";
            try {
                engine.ledger().status(file.id(), dev.ferry.ledger.TransferStatus.FAILED, reason);
            } catch (RuntimeException e) {
                LOG.debug("transfer {}: its reason stays as it was ({})", file.id(), e.toString());
            }
            throw new IllegalStateException(reason);
        }
        return file;
    }

    /** The file's own transfer ended FAILED at its planning; its reason now says where the folder went. */
    private void runsAs(dev.ferry.plan.TransferRequest file, String treeId) {
        LOG.info("{} on {} is a folder: it runs as tree {}", file.remotePath(), file.server(), treeId);
        try {
            engine.ledger().status(file.id(), dev.ferry.ledger.TransferStatus.FAILED, "remote path "
                    + file.remotePath() + " on " + file.server() + " is a folder: it runs as tree " + treeId
                    + " (GET /api/transfers/" + treeId + ")");
        } catch (RuntimeException e) {
            LOG.debug("transfer {}: its reason stays as it was ({})", file.id(), e.toString());
        }
    }

    /**
     * A folder request from a queue or the API, accepted durably before its caller acknowledges it: the request is
     * kept in the ledger ({@code ferry_tree_order}) and the tree's row written as waiting ({@code ferry_tree},
     * {@code ACCEPTED}: what {@code GET /api/transfers/<id>} shows), in one transaction, so a crash right after the
     * acknowledgement loses nothing: start-up runs it ({@link #pending}). Nothing is claimed here: the run claims the
     * tree when it starts. The tree runs later through {@link #runAccepted}; this returns its id.
     *
     * @throws RequestParser.RequestException naming the field that is wrong (the queue's dead letter, the API's 400)
     * @throws IllegalStateException when the same tree runs now, in this process or on another node (nothing is
     *                               written: an order accepted earlier stays as it was)
     */
    public String accept(String json, String source) {
        return accept(json, source, false);
    }

    private String accept(String json, String source, boolean evenWhileRunning) {
        Order order = read(json, source);
        if (java.nio.file.Files.exists(order.into) && !java.nio.file.Files.isDirectory(order.into)) {
            throw new RequestParser.RequestException(source + ": field 'localPath' names " + order.into + ", which is"
                    + " a file; a folder request needs a folder there (or nothing: it is made)");
        }
        String id = idOf(order);
        // From before its claim to after its end, which the ledger's row alone does not cover.
        if (!evenWhileRunning && TreeRun.runningHere(id)) {
            throw new TreeListings.TreeRunningException("tree " + id + " (" + order.server + ":" + order.remote
                    + " <-> " + order.into + ") is running in this process; a tree runs once at a time, so this"
                    + " request was not accepted: send it again once that run has ended (what it moved is then"
                    + " skipped)");
        }
        engine.ledger().treeAcceptance().accept(id, Direction.DOWNLOAD, order.server, order.remote,
                order.into.toString(), json, evenWhileRunning);
        return id;
    }

    /**
     * Runs a tree {@link #accept} took, on the calling thread. Its request is forgotten once the tree ran (claimed and
     * ended, whatever its outcome: the tree's row keeps that). It is kept when the run was stopped (an interrupt, the
     * service stopping: the next start runs it again), and when the tree did not run at all: it was running already
     * (a request file for the same folder here, another node), or failed before its claim, or another node took it
     * over; then it is sent again ({@link #runAgainWith}) after a while, or as soon as this process's run of it ends.
     * The summary, or an exception whose message lists what failed.
     */
    public String runAccepted(String treeId) throws IOException {
        // The same folder accepted twice before its first run took it: the second waits, then finds nothing to run.
        return RUNS.with(treeId, () -> {
            TreeOrders orders = engine.ledger().treeOrders();
            TreeOrders.Order stored = orders.get(treeId);
            if (stored == null) {
                return "tree " + treeId + ": nothing to run (it ran already)";
            }
            Order o;
            try {
                o = read(stored.request(), "tree request " + treeId);
            } catch (RequestParser.RequestException e) {
                // It can never run (its server is no longer configured, say): FAILED with the reason, not ACCEPTED.
                giveUp(stored, e.getMessage(), e);
                throw e;
            }
            TreeRun run = null;
            Throwable failure = null;
            try {
                run = new TreeRun(engine, o.server, limits).relist(o.relist).confinedTo(downloadDir);
                return run(run, o);
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                settle(stored, o, run != null && run.began(), failure);
            }
        });
    }

    /** What becomes of an order once its run returned: forgotten, kept for the next start, or sent again later. */
    private void settle(TreeOrders.Order stored, Order o, boolean began, Throwable failure) {
        String id = stored.treeId();
        if (failure == null) {
            ran(stored);
            return;
        }
        // A stop may fail the tree's files without interrupting this thread: the tree then ends INCOMPLETE, not run.
        // A cancel is someone's word, not the stop's doing: its order ends (below), whether or not the service stops.
        boolean stopped = !(failure instanceof TreeCancelledException) && (failure instanceof java.io.InterruptedIOException
                || Thread.currentThread().isInterrupted() || stopping.getAsBoolean());
        if (stopped) {
            LOG.info("tree {} stopped; its request stays and runs again at the next start", id);
            return;
        }
        if (began && !lostTo(failure)) {
            ran(stored);
            return;
        }
        String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        if (!TreeRetries.waitsForAnotherRun(failure)) {
            String spent;
            synchronized (waits) {
                spent = budgets.computeIfAbsent(id, k -> new TreeRetries(o.options.over(TransferOptions.DEFAULTS)
                        .maxAttempts(), engine.profiles().get(o.server).outageWait())).spent(failure);
            }
            if (spent != null) {
                giveUp(stored, "tree " + id + " (" + o.server + ":" + o.remote + " -> " + o.into + ") did not start: "
                        + reason + spent, failure);
                return;
            }
        }
        runLater(id, failure);
    }

    private void ran(TreeOrders.Order stored) {
        synchronized (waits) {
            waits.remove(stored.treeId());
            budgets.remove(stored.treeId());
        }
        engine.ledger().treeOrders().done(stored);
    }

    /**
     * An order that will never run by waiting (a permanent failure, or its retries spent) ends: its tree FAILED with
     * the reason (the API and the status page show it), the order dropped, and the tree's one {@code treeFinished}.
     */
    private void giveUp(TreeOrders.Order stored, String reason, Throwable failure) {
        String id = stored.treeId();
        dev.ferry.ledger.TreeListings listings = engine.ledger().treeListings();
        boolean recorded;
        try {
            recorded = listings.failedBeforeRun(id, reason);
            engine.ledger().treeOrders().done(stored);
        } catch (RuntimeException e) {
            // The ledger cannot take the end now: the order stays and is given up at its next try, its budget kept.
            LOG.warn("tree {}: cannot record that its request is given up ({}); tried again later", id, e.toString());
            runLater(id, failure);
            return;
        }
        synchronized (waits) {
            Wait w = waits.remove(id);
            if (w != null) {
                w.timer.cancel(false);
            }
            budgets.remove(id);
        }
        LOG.warn("{}; its request is given up", reason);
        dev.ferry.ledger.TreeListings.TreeRecord row = listings.get(id);
        if (recorded && row != null) {
            engine.events().treeFinished(new GivenUpTree(row), reason);
        }
    }

    /** Another node claimed the tree while this run held it: this request has not run, that node's run has. */
    private static boolean lostTo(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof dev.ferry.ledger.LostLeaseException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where an order whose tree could not run yet is sent again (the service: seda:ferry-trees, whose route calls
     * {@link #runAccepted}); without one it waits for the next start.
     */
    public TreeRequests runAgainWith(java.util.function.Consumer<String> queue) {
        this.again = queue;
        return this;
    }

    /**
     * What says the service is stopping (its component, its Camel context): a tree that ends then did not run, whatever
     * its files say (they failed because of the stop), so its request stays for the next start.
     */
    public TreeRequests stoppingWhen(java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
        return this;
    }

    /** Where a relative remotePath lies on each server (its profile's remote-dir), as for a file's request. */
    public TreeRequests remoteDirsFrom(java.util.function.UnaryOperator<String> remoteDirOfServer) {
        this.remoteDirs = remoteDirOfServer;
        return this;
    }

    /** No order is sent again from now on; those waiting stay in the ledger for the next start. */
    public void close() {
        synchronized (waits) {
            closed = true;
            if (timer != null) {
                timer.shutdownNow();
            }
        }
    }

    private void runLater(String treeId, Throwable why) {
        String reason = why.getMessage() == null ? why.toString() : why.getMessage();
        synchronized (waits) {
            if (again == null || closed) {
                LOG.warn("tree {} did not run ({}); its request stays and runs at the next start", treeId, reason);
                return;
            }
            Wait previous = waits.get(treeId);
            int attempt = previous == null ? 0 : previous.attempt + 1;
            long delay = Math.min(FIRST_WAIT_MILLIS << Math.min(attempt, 10), LAST_WAIT_MILLIS);
            LOG.warn("tree {} did not run ({}); its request stays and runs again in {} s, or once this process's run of"
                    + " it ends", treeId, reason, delay / 1000.0);
            if (previous != null) {
                previous.timer.cancel(false);
            }
            waits.put(treeId, new Wait(attempt, timer().schedule(() -> send(treeId), delay,
                    java.util.concurrent.TimeUnit.MILLISECONDS)));
        }
    }

    /** A run of {@code treeId} here ended: a request that waits for it runs now. */
    private void wake(String treeId) {
        synchronized (waits) {
            Wait w = waits.get(treeId);
            if (w != null && !closed && w.timer.cancel(false)) {
                timer().execute(() -> send(treeId)); // not on the ending run's thread (the inbox route's)
            }
        }
    }

    private void send(String treeId) {
        try {
            again.accept(treeId);
        } catch (RuntimeException e) {
            LOG.warn("tree {}: its request stays for the next start (not sent again: {})", treeId, e.toString());
        }
    }

    private java.util.concurrent.ScheduledExecutorService timer() {
        if (timer == null) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    dev.ferry.DaemonThreads.named("ferry-tree-wait-"));
        }
        return timer;
    }

    /**
     * The orders of nodes that stopped for good (heartbeat older than a lease), now this node's: the caller runs each
     * as it runs its own ({@link #runAccepted}). See {@link TreeOrders#takeOver}.
     */
    public List<String> takeOver() {
        return engine.ledger().treeOrders().takeOver().stream().map(TreeOrders.Order::treeId).toList();
    }

    /**
     * The id of the tree a folder request names, as {@link #download} would run it; refused in words like a run when
     * the request is bad.
     */
    public String treeIdOf(String json, String source) {
        Order o = read(json, source);
        return TreeRun.idOf(Direction.DOWNLOAD, o.server, o.remote, o.into);
    }

    /** An order sent again later: how many times it waited in a row, and its timer. */
    private record Wait(int attempt, java.util.concurrent.ScheduledFuture<?> timer) {
    }

    /** The trees this node accepted that have not run to their end (a crash, a kill, a stop): for start-up. */
    public List<String> pending() {
        return engine.ledger().treeOrders().pending(engine.ledger().leases().nodeId()).stream()
                .map(TreeOrders.Order::treeId).toList();
    }

    /** A folder request, read and checked: every refusal names its field. */
    private Order read(String json, String source) {
        ObjectNode root;
        try {
            JsonNode node = JSON.readTree(json);
            if (!(node instanceof ObjectNode o)) {
                throw new RequestParser.RequestException(source + ": a request is a JSON object");
            }
            root = o;
        } catch (IOException e) {
            throw new RequestParser.RequestException(source + ": malformed JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()), e);
        }
        JsonNode recursive = root.remove("recursive");
        if (recursive != null && !recursive.isBoolean()) {
            throw new RequestParser.RequestException(source + ": field 'recursive' must be true or false");
        }
        JsonNode relist = root.remove("relist");
        if (relist != null && !relist.isBoolean()) {
            throw new RequestParser.RequestException(source + ": field 'relist' must be true or false");
        }
        TreeFilter filter = filter(root, source);
        RequestParser.Parsed p = RequestParser.parse(JSON.convertValue(root, Map.class), source);
        if (p.direction() == Direction.UPLOAD) {
            throw new RequestParser.RequestException(source + ": field 'direction': a folder is uploaded by dropping it"
                    + " into the upload inbox, not by a request");
        }
        String server = p.server() != null ? p.server() : defaultServer.get();
        if (server == null) {
            throw new RequestParser.RequestException(source + ": field 'server' is needed (no default server)");
        }
        try {
            engine.profiles().get(server);
        } catch (IllegalArgumentException e) {
            throw new RequestParser.RequestException(source + ": field 'server': " + e.getMessage());
        }
        // As a file's request resolves them (camel.FerryProducer), so that a file's request found to name a folder is
        // the same tree as this one: a relative remotePath lies in the server's remote-dir, and "dir/" means "into
        // dir, under the remote name" (as cp -r does).
        String remote;
        try {
            remote = RemoteTree.rootOf(p.remotePath().startsWith("/") ? PathGuard.remoteAbsolute(p.remotePath())
                    : PathGuard.remoteInside(remoteDirs.apply(server), p.remotePath()));
        } catch (IllegalArgumentException e) {
            throw new RequestParser.RequestException(source + ": field 'remotePath': " + e.getMessage(), e);
        }
        String local = p.localPath() == null ? PathGuard.remoteName(remote)
                : p.localPath().endsWith("/") ? p.localPath() + PathGuard.remoteName(remote) : p.localPath();
        if (local.isEmpty()) {
            throw new RequestParser.RequestException(source + ": field 'localPath' is needed for the remote root");
        }
        Path into;
        try {
            into = PathGuard.localInside(downloadDir, local);
        } catch (RuntimeException e) {
            throw new RequestParser.RequestException(source + ": field 'localPath': " + e.getMessage());
        }
        return new Order(server, remote, into, p.options(), filter, relist != null && relist.asBoolean());
    }

    private static String idOf(Order o) {
        return TreeRun.idOf(Direction.DOWNLOAD, o.server, o.remote, o.into);
    }

    private String run(TreeRun run, Order o) throws IOException {
        TreeResult r = run.download(o.remote, o.into, o.options, o.filter);
        String summary = r.files() + " files from " + o.server + ":" + o.remote + " into " + o.into + ": "
                + r.transferred() + " transferred, " + r.skipped() + " skipped as unchanged, " + r.failed() + " failed, "
                + r.refused() + " refused (tree " + r.id() + ")";
        if (!r.complete()) {
            StringBuilder why = new StringBuilder(summary).append('\n');
            r.problems().stream().limit(REASON_LINES).forEach(line -> why.append(line).append('\n'));
            if (r.problems().size() > REASON_LINES) {
                why.append("... and ").append(r.failed() + r.refused() - REASON_LINES).append(" more in the log\n");
            }
            throw new IncompleteTreeException(why.toString());
        }
        return summary;
    }

    /** What a folder request asks for, checked. */
    private record Order(String server, String remote, Path into, TransferOptions options, TreeFilter filter,
                         boolean relist) {
    }

    /**
     * The folder's own fields, taken out of the request before the single-file parser sees it: {@code include} and
     * {@code exclude} (a glob or a list of them), {@code newerThan} (an ISO instant or date), {@code delete}.
     */
    private static TreeFilter filter(ObjectNode root, String source) {
        try {
            java.util.List<String> include = globs(root.remove("include"), "include", source);
            java.util.List<String> exclude = globs(root.remove("exclude"), "exclude", source);
            JsonNode newer = root.remove("newerThan");
            java.time.Instant after = null;
            if (newer != null && !newer.isNull()) {
                String t = newer.asText();
                after = t.contains("T") ? java.time.Instant.parse(t)
                        : java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            JsonNode delete = root.remove("delete");
            if (delete != null && !delete.isBoolean()) {
                throw new RequestParser.RequestException(source + ": field 'delete' must be true or false");
            }
            return new TreeFilter(include, exclude, after, delete != null && delete.asBoolean());
        } catch (java.time.format.DateTimeParseException e) {
            throw new RequestParser.RequestException(source + ": field 'newerThan' is not an ISO date or instant");
        } catch (RequestParser.RequestException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new RequestParser.RequestException(source + ": " + e.getMessage());
        }
    }

    private static java.util.List<String> globs(JsonNode node, String field, String source) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            out.add(node.asText());
            return out;
        }
        if (node.isArray()) {
            for (JsonNode g : node) {
                if (!g.isTextual()) {
                    break;
                }
                out.add(g.asText());
            }
            if (out.size() == node.size()) {
                return out;
            }
        }
        throw new RequestParser.RequestException(source + ": field '" + field + "' must be a glob or a list of globs");
    }

    /** Some files of a tree failed or were refused; the message lists them. */
    public static final class IncompleteTreeException extends IOException {
        IncompleteTreeException(String message) {
            super(message);
        }
    }
}
