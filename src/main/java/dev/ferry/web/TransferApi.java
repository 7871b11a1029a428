package dev.ferry.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.inbox.CancelledDrops;
import dev.ferry.ledger.ClusterView;
import dev.ferry.ledger.LedgerException;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferView;
import dev.ferry.progress.TreeView;
import dev.ferry.tree.TreeState;
import dev.ferry.ledger.TreeListings;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API over the engine and its ledger, independent of HTTP plumbing: each method returns the {@link Reply}.
 *
 * <p>A transfer's {@code state}: {@code active} (moving in this process), {@code queued} (accepted, not started),
 * {@code interrupted} (the ledger has it unfinished but it does not run here: it resumes at the next start, or runs
 * on another instance sharing the ledger), {@code waiting} (its server cannot be reached; {@code waiting} says since
 * when and until when it is waited for), {@code done}, {@code failed}, {@code cancelled}.
 *
 * <p>The ledger is shared by every node of a cluster, so the lists hold every node's transfers; each names its
 * {@code node} (the owner in the ledger; null if never claimed) and whether it is {@code here}: this process holds it
 * (moving, queued or waiting for its server under this node's live lease). Another node's
 * transfer under a live lease is {@code active} with that node's last recorded progress.
 */
final class TransferApi {
    private static final Logger LOG = LoggerFactory.getLogger(TransferApi.class);
    private static final String GIVEN_UP = "given up";
    /** How long a start waits for a cancelled or failed run of the same transfer to let go of it. */
    private static final Duration WIND_DOWN = Duration.ofSeconds(10);
    /** Reasons a transfer cannot get past by running again (the planners' and the discard's words). */
    private static final List<String> PERMANENT = List.of("already exists", GIVEN_UP);
    static final ObjectMapper JSON = new ObjectMapper();

    private final TransferEngine engine;
    private final RequestReader reader;
    private final Submitter submitter;
    private final LastErrors errors;
    private final int recentLimit;
    private final ClusterView cluster;
    private TreeSubmitter trees;

    TransferApi(TransferEngine engine, RequestReader reader, Submitter submitter, LastErrors errors, int recentLimit) {
        this.engine = engine;
        this.reader = reader;
        this.submitter = submitter;
        this.errors = errors;
        this.recentLimit = recentLimit;
        this.cluster = ClusterView.of(engine.ledger());
    }

    /** Folder requests go to {@code t} (null: every request is one file). */
    TransferApi trees(TreeSubmitter t) {
        this.trees = t;
        return this;
    }

    /** How many unfinished transfers from the ledger a list shows at most, the oldest first. */
    static final int UNFINISHED_LISTED = 200;

    /** GET /api/transfers: running, waiting and recently finished transfers. */
    Reply list() {
        Map<String, TransferView> live = live();
        List<Map<String, Object>> active = new ArrayList<>();
        live.values().forEach(t -> active.add(view(t)));
        // A page's worth, the oldest first: a backlog of thousands made every poll of the status page list them all,
        // a segments query each (1,029 rows: 0.5 MB and 12.7 s while the service worked, in a review).
        List<TransferRecord> page = engine.ledger().unfinished(UNFINISHED_LISTED);
        long unlisted = page.size() < UNFINISHED_LISTED ? 0
                : Math.max(0, engine.ledger().unfinishedCount() - page.size());
        List<TransferRecord> unfinished = page.stream().filter(r -> !live.containsKey(r.id())).toList();
        List<TransferRecord> finished = engine.ledger().recentFinished(recentLimit).stream()
                .filter(r -> !live.containsKey(r.id())).toList();
        List<String> ids = new ArrayList<>();
        unfinished.forEach(r -> ids.add(r.id()));
        finished.forEach(r -> ids.add(r.id()));
        Map<String, ClusterView.Owner> owners = cluster.owners(ids);
        List<Map<String, Object>> queued = new ArrayList<>();
        for (TransferRecord r : unfinished) {
            Map<String, Object> m = record(r, owners.get(r.id()));
            ("active".equals(m.get("state")) ? active : queued).add(m);
        }
        List<Map<String, Object>> recent = new ArrayList<>();
        for (TransferRecord r : finished) {
            recent.add(record(r, owners.get(r.id())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("time", Instant.now().toString());
        body.put("node", cluster.self());
        body.put("active", active);
        body.put("queued", queued);
        // Unfinished transfers beyond the page, not listed (the oldest are): GET /api/transfers/{id} has any of them.
        body.put("queuedMore", unlisted);
        body.put("recent", recent);
        body.put("trees", trees());
        return ok(200, body);
    }

    /**
     * Tree transfers (folders), the parents of their files' transfers: the ones running here with their live counts,
     * then the ledger's latest (ended, run by another node, or cut short by a crash) with the counts last written.
     */
    private List<Map<String, Object>> trees() {
        List<Map<String, Object>> trees = new ArrayList<>();
        java.util.Set<String> here = new java.util.HashSet<>();
        for (TreeView t : TreeState.running()) {
            here.add(t.id());
            trees.add(tree(t));
        }
        for (TreeListings.TreeRecord r : engine.ledger().treeListings().recent(recentLimit)) {
            if (!here.contains(r.id())) {
                trees.add(tree(r));
            }
        }
        return trees;
    }

    private Map<String, Object> tree(TreeView t) {
        Map<String, Object> m = t.fields();
        m.put("kind", "tree");
        m.put("node", cluster.self());
        m.put("here", true);
        return m;
    }

    private static Map<String, Object> tree(TreeListings.TreeRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("direction", r.direction().name());
        m.put("server", r.server());
        m.put("remotePath", r.remoteRoot());
        m.put("localPath", r.localRoot());
        m.put("status", r.status());
        m.put("listed", r.listed());
        m.put("entries", r.entries());
        m.put("files", r.files());
        m.put("filesDone", r.transferred() + r.skipped() + r.failed());
        m.put("transferred", r.transferred());
        m.put("skipped", r.skipped());
        m.put("failed", r.failed());
        m.put("refused", r.refused());
        m.put("bytesMoved", r.bytesMoved());
        m.put("etaSeconds", -1);
        if (r.reason() != null && (TreeListings.FAILED.equals(r.status())
                || TreeListings.CANCELLED.equals(r.status()))) {
            m.put("reason", r.reason());
        }
        m.put("created", r.created().toString());
        m.put("updated", r.updated().toString());
        m.put("kind", "tree");
        // The node that runs or last ran it (the ledger's owner), as a transfer names its node.
        m.put("node", r.owner());
        m.put("here", false);
        return m;
    }

    /** GET /api/transfers/{id}. */
    Reply get(String id) {
        TransferView t = live().get(id);
        if (t != null) {
            return ok(200, view(t));
        }
        TreeView tree = TreeState.running(id);
        if (tree != null) {
            return ok(200, tree(tree));
        }
        return engine.ledger().find(id).map(r -> ok(200, record(r, cluster.owners(List.of(id)).get(id))))
                .or(() -> java.util.Optional.ofNullable(engine.ledger().treeListings().get(id))
                        .map(r -> ok(200, tree(r))))
                .orElseGet(() -> notFound(id));
    }

    /**
     * POST /api/transfers: checks the request, records it in the ledger, starts it; 202 with its id. A folder (as in
     * a request file) is accepted as a tree: 202 with the tree's id, whose files are listed by {@code ?tree=<id>}.
     */
    Reply submit(String body) {
        if (trees != null && trees.isTree(body)) {
            return submitTree(body);
        }
        TransferRequest request;
        try {
            request = reader.read(body);
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        return start(request, "accepted");
    }

    private Reply submitTree(String body) {
        if (!trees.hasRoom()) {
            return full("the folder request was not accepted", "folders");
        }
        String id;
        try {
            id = trees.submit(body);
        } catch (IllegalStateException e) {
            return error(409, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("id", id);
        reply.put("kind", "tree");
        reply.put("state", "accepted");
        reply.put("href", "/api/transfers/" + id);
        reply.put("files", "/api/transfers?tree=" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8));
        return ok(202, reply).withHeader("Location", "/api/transfers/" + id);
    }

    /**
     * GET /api/transfers?tree=&lt;id&gt;: the tree (as by its id) and its files' transfers, those moving here first, then
     * the ledger's, the most recently updated first.
     */
    Reply listTree(String treeId) {
        Map<String, TransferView> live = live();
        List<Map<String, Object>> files = new ArrayList<>();
        live.values().stream().filter(t -> treeId.equals(t.tree())).forEach(t -> files.add(view(t)));
        List<TransferRecord> rows = engine.ledger().inTree(treeId, recentLimit).stream()
                .filter(r -> !live.containsKey(r.id())).toList();
        Map<String, ClusterView.Owner> owners = cluster.owners(rows.stream().map(TransferRecord::id).toList());
        rows.forEach(r -> files.add(record(r, owners.get(r.id()))));
        TreeView running = TreeState.running(treeId);
        TreeListings.TreeRecord row = running == null ? engine.ledger().treeListings().get(treeId) : null;
        if (running == null && row == null && files.isEmpty()) {
            return notFound(treeId);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("time", Instant.now().toString());
        body.put("node", cluster.self());
        body.put("tree", running != null ? tree(running) : row != null ? tree(row) : null);
        body.put("transfers", files);
        return ok(200, body);
    }

    /** POST /api/transfers/{id}/cancel: stops a running transfer; its segments stay, so it can be resumed. */
    Reply cancel(String id) {
        if (live().containsKey(id)) {
            // Still running here after another node took it over (this node froze past its lease): that node's run
            // is the transfer now, and cancelling this one's left-over run would answer "cancelling" for nothing.
            Optional<TransferRecord> row = engine.ledger().find(id);
            ClusterView.Owner owner = row.isEmpty() ? null : cluster.owners(List.of(id)).get(id);
            if (row.isPresent() && elsewhere(row.get(), owner)) {
                engine.cancel(id);
                return error(409, "transfer " + id + " was taken over by node " + owner.node() + " (this node lost"
                        + " its lease); cancel it there");
            }
        }
        boolean waiting = engine.serverWaits().isWaiting(id);
        if (engine.cancel(id)) {
            if (waiting) {
                return ok(202, Map.of("id", id, "state", "cancelled", "message", "cancelled at once: it was waiting"
                        + " for its server; resume it with POST /api/transfers/" + id + "/resume"));
            }
            return ok(202, Map.of("id", id, "state", "cancelling",
                    "message", "the transfer stops at its next buffer; resume it with POST /api/transfers/" + id
                            + "/resume"));
        }
        if (TreeState.cancel(id)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("kind", "tree");
            body.put("state", "cancelling");
            body.put("message", "no more of the folder's files start, and those under way stop at their next buffer;"
                    + " what it moved is kept: send its request again to resume it (the files already there are"
                    + " skipped)");
            return ok(202, body);
        }
        Optional<TransferRecord> r = engine.ledger().find(id);
        if (r.isEmpty()) {
            return treeNotRunning(id, "cancelled");
        }
        ClusterView.Owner owner = cluster.owners(List.of(id)).get(id);
        if (elsewhere(r.get(), owner)) {
            return error(409, "transfer " + id + " runs on node " + owner.node() + "; cancel it there");
        }
        return error(409, "transfer " + id + " is not running in this process (it is " + state(r.get()) + ")");
    }

    /**
     * A folder's id, where a file's was expected: 409 saying what can be done with it, or 404 when it is no folder
     * either. A folder is cancelled while it runs here; it resumes, or is given up, through its request.
     */
    private Reply treeNotRunning(String id, String asked) {
        TreeListings.TreeRecord tree = engine.ledger().treeListings().get(id);
        if (tree == null) {
            return notFound(id);
        }
        String status = tree.status();
        boolean live = TreeListings.LISTING.equals(status) || TreeListings.RUNNING.equals(status);
        if ("cancelled".equals(asked) && live && tree.owner() != null && !tree.owner().equals(cluster.self())) {
            return error(409, "folder transfer " + id + " runs on node " + tree.owner() + "; cancel it there");
        }
        return error(409, "folder transfer " + id + " is " + status.toLowerCase(java.util.Locale.ROOT) + " here; a"
                + " folder is cancelled while it runs, and resumed by sending its request again (the files already"
                + " there are skipped); its files' transfers are listed by /api/transfers?tree=" + id);
    }

    /** POST /api/transfers/{id}/resume: runs the stored request again; the ledger's segments make it resume. */
    Reply resume(String id) {
        if (live().containsKey(id)) {
            return error(409, "transfer " + id + " is running");
        }
        Optional<TransferRecord> found = engine.ledger().find(id);
        if (found.isEmpty()) {
            return treeNotRunning(id, "resumed");
        }
        TransferRecord r = found.get();
        if (!r.status().finished()) {
            return resumeUnfinished(r);
        }
        if (r.status() != TransferStatus.CANCELLED && r.status() != TransferStatus.FAILED) {
            return error(409, "transfer " + id + " is " + state(r) + "; only a cancelled or failed transfer can be"
                    + " resumed" + (r.status() == TransferStatus.PUBLISHED
                    ? " (to move the file again, submit the request again with POST /api/transfers)" : ""));
        }
        TransferRequest request;
        try {
            request = Requests.fromJson(r.request());
        } catch (RuntimeException e) {
            return error(409, "transfer " + id + " has no readable stored request: " + e.getMessage());
        }
        if (!resumable(r)) {
            return error(409, "transfer " + id + " cannot be resumed: " + whyNot(r));
        }
        Path local = Path.of(r.localPath());
        if (r.direction() == Direction.UPLOAD && CancelledDrops.find(local).isPresent()) {
            // A cancelled drop: back into its inbox, whose route runs it again and moves it to .done/ at the end.
            try {
                CancelledDrops.restore(local);
            } catch (IOException e) {
                return error(409, "transfer " + id + " cannot be resumed: " + e.getMessage());
            }
            return ok(202, Map.of("id", id, "state", "resuming", "href", "/api/transfers/" + id,
                    "message", "the drop is back in its inbox and continues where it stopped"));
        }
        return start(request, "resuming");
    }

    /**
     * POST /api/transfers/{id}/discard: gives up a cancelled or failed transfer. The partial copy goes (the server's
     * temporary file, or the local part file), a cancelled drop moves to .failed/ with the reason.
     */
    Reply discard(String id) {
        if (live().containsKey(id) || !engine.claims().tryClaim(id)) {
            // A discard right after its cancel (a script's two calls) was told to cancel it first. Not waited for
            // here: an inbox drop is filed in .cancelled/ after its run ends, and only from there can it be given up.
            return error(409, "transfer " + id + (engine.cancelling(id) ? " is still stopping after its cancel;"
                    + " discard it once its state is cancelled" : " is running; cancel it first"));
        }
        try {
            return discardClaimed(id);
        } finally {
            engine.claims().release(id);
        }
    }

    private Reply discardClaimed(String id) {
        Optional<TransferRecord> found = engine.ledger().find(id);
        if (found.isEmpty()) {
            return treeNotRunning(id, "discarded");
        }
        TransferRecord r = found.get();
        if (r.status() != TransferStatus.CANCELLED && r.status() != TransferStatus.FAILED) {
            ClusterView.Owner owner = cluster.owners(List.of(id)).get(id);
            return error(409, "transfer " + id + " is " + (elsewhere(r, owner) ? "running on node " + owner.node()
                    : state(r)) + "; only a cancelled or failed transfer can be given up");
        }
        String reason = GIVEN_UP + " (POST /api/transfers/" + id + "/discard); its partial copy was removed";
        boolean claimedHere = false;
        if (!engine.ledger().leases().holds(id)) {
            if (engine.ledger().leases().claimToGiveUp(id).isEmpty()) {
                return error(409, "transfer " + id + " is held by " + engine.ledger().leases().describeOwner(id)
                        .orElse("another node") + "; give it up there, or here once that node has stopped for a"
                        + " lease");
            }
            claimedHere = true;
        }
        try {
            engine.discard(id, reason);
        } catch (IOException e) {
            if (claimedHere) {
                engine.ledger().leases().released(id); // kept as it was: its claim is not held on for nothing
            }
            return error(503, "transfer " + id + " is kept: its partial copy cannot be removed now (" + e.getMessage()
                    + "); try again");
        } catch (IllegalStateException e) {
            return error(409, e.getMessage());
        } catch (dev.ferry.ledger.LostLeaseException e) {
            return error(409, "transfer " + id + " is another node's; give it up there (" + e.getMessage() + ")");
        }
        Path local = Path.of(r.localPath());
        String where = null;
        if (r.direction() == Direction.UPLOAD && CancelledDrops.find(local).isPresent()) {
            try {
                where = CancelledDrops.giveUp(local, reason).toString();
            } catch (IOException e) {
                LOG.warn("{} given up, but its drop stays in {}: {}", id, CancelledDrops.FOLDER, e.toString());
            }
        }
        LOG.info("{} given up{}", id, where == null ? "" : "; the drop is in " + where);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("state", "failed");
        body.put("message", reason);
        if (where != null) {
            body.put("drop", where);
        }
        return ok(200, body);
    }

    /**
     * Whether resume can work: a cancelled or failed transfer whose source is still there (a cancelled drop
     * counts), and whose reason is not one that running it again cannot change.
     */
    private static boolean resumable(TransferRecord r) {
        return whyNot(r) == null;
    }

    private static String whyNot(TransferRecord r) {
        if (r.status() != TransferStatus.CANCELLED && r.status() != TransferStatus.FAILED) {
            return "it is " + state(r);
        }
        String reason = r.reason() == null ? "" : r.reason();
        if (r.refused()) {
            return "the request was refused when it came (" + reason.substring(TransferRecord.REFUSED.length())
                    + "); send a corrected request";
        }
        for (String permanent : PERMANENT) {
            if (reason.contains(permanent)) {
                return "it failed because " + permanent + "; running it again ends the same way";
            }
        }
        if (r.direction() == Direction.UPLOAD) {
            Path local = Path.of(r.localPath());
            if (!Files.exists(local) && CancelledDrops.find(local).isEmpty()) {
                return "the local file " + local + " is gone";
            }
        }
        return null;
    }

    /**
     * An unfinished transfer not running here: its node died or gave it up. It runs here once this node can claim it,
     * i.e. when no other node holds a live lease on it.
     */
    private synchronized Reply resumeUnfinished(TransferRecord r) {
        String id = r.id();
        TransferRequest request;
        try {
            request = Requests.fromJson(r.request());
        } catch (RuntimeException e) {
            return error(409, "transfer " + id + " has no readable stored request: " + e.getMessage());
        }
        // Under the process's claim, as start() accepts: between a resume's accept (the row unfinished) and its
        // lease a second resume found the row held by nobody, took the lease and queued it again (50 resumes at once
        // gave two 202s and two runs; the second reopened the published file and failed it "already exists").
        if (!engine.claims().tryClaim(id)) {
            return error(409, "transfer " + id + " is being started on this node already");
        }
        try {
            if (engine.ledger().leases().holds(id)) {
                return error(409, "transfer " + id + " is " + state(r) + " on this node already");
            }
            if (!submitter.hasRoom()) {
                return full("transfer " + id + " was not resumed", "transfers");
            }
            if (engine.ledger().leases().claim(id).isEmpty()) {
                // A live lease elsewhere: that node runs it (or, frozen or cut off, held it last); not "interrupted".
                return error(409, "transfer " + id + " runs on "
                        + engine.ledger().leases().describeOwner(id).orElse("another node")
                        + "; it can be resumed here only once that node's lease has run out");
            }
        } finally {
            engine.claims().release(id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        queue(request, body);
        body.put("id", id);
        body.put("state", "resuming");
        body.put("request", request);
        body.put("href", "/api/transfers/" + id);
        return ok(202, body).withHeader("Location", "/api/transfers/" + id);
    }

    /**
     * Under the engine's claim on the transfer, so two calls for the same file (or a call and a route already running
     * it) cannot both start it; once accepted, the ledger's unfinished row refuses the next call.
     */
    private Reply start(TransferRequest request, String verb) {
        String id;
        try {
            id = engine.check(request).id();
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        if (!claimToStart(id)) {
            return error(409, "transfer " + id + " (" + request + ") is already running");
        }
        TransferRequest accepted;
        try {
            Optional<TransferRecord> existing = engine.ledger().find(id);
            if (existing.isPresent() && !existing.get().status().finished()) {
                return error(409, "transfer " + id + " (" + request + ") is already " + (existing.get().status()
                        == TransferStatus.ACTIVE ? "running, or waiting to resume where it stopped"
                        : state(existing.get())));
            }
            Optional<dev.ferry.transfer.TransferResult> done = existing.isPresent()
                    && existing.get().status() == TransferStatus.PUBLISHED && "accepted".equals(verb)
                    ? engine.publishedAlready(request) : Optional.empty();
            if (done.isPresent()) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", id);
                body.put("state", "done");
                body.put("message", done.get().verification() + "; nothing to move: to fetch it again, remove the"
                        + " local file or ask with fileExist Override");
                body.put("href", "/api/transfers/" + id);
                return ok(200, body).withHeader("Location", "/api/transfers/" + id);
            }
            if (!submitter.hasRoom()) {
                // After the answers that need no room (running already, delivered already).
                return full("transfer " + id + " (" + request + ") was not " + ("accepted".equals(verb) ? "accepted"
                        : "resumed"), "transfers");
            }
            try {
                accepted = engine.accept(request);
            } catch (IllegalArgumentException e) {
                return error(400, e.getMessage());
            }
        } finally {
            engine.claims().release(id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        queue(accepted, body);
        body.put("id", accepted.id());
        body.put("state", verb);
        body.put("request", accepted);
        body.put("href", "/api/transfers/" + accepted.id());
        return ok(202, body).withHeader("Location", "/api/transfers/" + accepted.id());
    }

    /**
     * Queues a transfer the ledger holds now. Another caller may take the last place between the look for room and
     * this: then it is not waited for (see {@link Submitter#submit}) but let go, so the service's claim round, which
     * takes this node's unfinished transfers that nothing holds, queues it when there is room; it is in the ledger
     * either way, and the reply says so.
     */
    private void queue(TransferRequest accepted, Map<String, Object> body) {
        try {
            submitter.submit(accepted);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            engine.ledger().leases().released(accepted.id());
            LOG.warn("{} accepted, but the transfer queue is full; it starts from the ledger once there is room",
                    accepted.id());
            body.put("message", "accepted into the ledger; the queue of transfers waiting to start is full, so it"
                    + " starts once there is room");
        }
    }

    /**
     * The queue of accepted transfers (or folders) waiting to start has no room: refused before anything is recorded,
     * so the caller knows to send it again; the worker thread is not held waiting for room.
     */
    private static Reply full(String what, String kind) {
        return error(503, what + ": the queue of " + kind + " waiting to start is full (they wait for their servers,"
                + " or for a server that cannot be reached); nothing was recorded: send it again once some have started"
                + " (GET /api/transfers lists them)");
    }

    /**
     * A run that was cancelled or failed still holds its claim while its last steps wind down (the Camel split's other
     * segments, its aggregation); a resume right after the cancel waits for that, a bounded moment, instead of being
     * refused. A transfer the ledger still shows running is refused at once.
     */
    private boolean claimToStart(String id) {
        if (!live().containsKey(id) && engine.claims().tryClaim(id)) {
            return true;
        }
        Optional<TransferRecord> row = engine.ledger().find(id);
        if (row.isEmpty() || !row.get().status().finished()) {
            return false;
        }
        try {
            if (!engine.claims().tryClaim(id, WIND_DOWN)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (live().containsKey(id)) {
            engine.claims().release(id);
            return false;
        }
        return true;
    }

    private Map<String, TransferView> live() {
        Map<String, TransferView> byId = new LinkedHashMap<>();
        for (TransferView t : engine.active()) {
            byId.put(t.id(), t);
        }
        return byId;
    }

    private Map<String, Object> view(TransferView t) {
        Map<String, Object> m = common(t.id(), t.direction().name(), t.server(), t.remotePath(), t.localPath());
        m.put("tree", t.tree());
        m.put("state", "active");
        m.put("status", TransferStatus.ACTIVE.name());
        m.put("node", cluster.self());
        m.put("here", true);
        m.put("size", t.size());
        m.put("bytesDone", t.bytesDone());
        m.put("progress", progress(t.bytesDone(), t.size()));
        m.put("rate", Math.round(t.rate()));
        m.put("etaSeconds", t.etaSeconds());
        m.put("retries", t.retries());
        m.put("bytesMoved", t.bytesMoved());
        List<Map<String, Object>> segments = new ArrayList<>();
        for (TransferView.SegmentView s : t.segments()) {
            segments.add(segment(s.index(), s.start(), s.end(), s.offset(), s.done()));
        }
        m.put("segments", segments);
        m.put("resumable", false);
        lastError(m, t.id(), null);
        return m;
    }

    /**
     * An unfinished transfer this process holds: its row names this node under a live lease (queued, or waiting for
     * its server; a node id runs in one process at a time), so it moves, or will, here.
     */
    private boolean heldHere(TransferRecord r, ClusterView.Owner owner) {
        return !r.status().finished() && owner != null && owner.leaseLive() && owner.node().equals(cluster.self());
    }

    /** An unfinished transfer whose owner is another node with a live lease: it runs there. */
    private boolean elsewhere(TransferRecord r, ClusterView.Owner owner) {
        return !r.status().finished() && owner != null && owner.leaseLive() && !owner.node().equals(cluster.self());
    }

    private Map<String, Object> record(TransferRecord r, ClusterView.Owner owner) {
        Map<String, Object> m = common(r.id(), r.direction().name(), r.server(), r.remotePath(), r.localPath());
        m.put("tree", r.tree());
        // Accepted there and not started yet, it is queued there.
        Optional<String> waiting = r.status().finished() ? Optional.empty() : engine.serverWaits().waiting(r.id());
        m.put("state", waiting.isPresent() ? "waiting"
                : elsewhere(r, owner) && r.status() == TransferStatus.ACTIVE ? "active" : state(r));
        // Why it does not move: its server is out of reach, and until when it is waited for.
        m.put("waiting", waiting.orElse(null));
        m.put("status", r.status().name());
        m.put("node", owner == null ? null : owner.node());
        m.put("here", waiting.isPresent() || heldHere(r, owner));
        List<SegmentRecord> recorded = engine.ledger().segments(r.id());
        long done = 0;
        List<Map<String, Object>> segments = new ArrayList<>();
        for (SegmentRecord s : recorded) {
            done += s.offset() - s.start();
            segments.add(segment(s.index(), s.start(), s.end(), s.offset(), s.done()));
        }
        if (r.status() == TransferStatus.PUBLISHED && r.size() >= 0) {
            done = r.size();
        }
        m.put("size", r.size());
        m.put("bytesDone", done);
        m.put("progress", progress(done, r.size()));
        m.put("rate", 0);
        m.put("etaSeconds", -1);
        m.put("retries", 0);
        m.put("bytesMoved", r.bytesMoved());
        m.put("bytesResent", r.bytesResent());
        m.put("segments", segments);
        m.put("created", r.created().toString());
        m.put("updated", r.updated().toString());
        if (r.status() == TransferStatus.PUBLISHED) {
            // A retry on its way (a reset connection) is not the state of a file delivered and verified.
            m.put("lastError", null);
        } else {
            lastError(m, r.id(), r.status() == TransferStatus.FAILED ? r.reason() : null);
        }
        m.put("resumable", resumable(r));
        return m;
    }

    private static Map<String, Object> common(String id, String direction, String server, String remote, String local) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("direction", direction);
        m.put("server", server);
        m.put("name", PathGuard.remoteName(remote));
        m.put("remotePath", remote);
        m.put("localPath", local);
        return m;
    }

    private void lastError(Map<String, Object> m, String id, String reason) {
        LastErrors.Entry e = errors.get(id);
        if (reason != null) {
            m.put("lastError", reason);
            m.put("lastErrorAt", e != null ? e.at().toString() : m.get("updated"));
        } else if (e != null) {
            m.put("lastError", e.message());
            m.put("lastErrorAt", e.at().toString());
        } else {
            m.put("lastError", null);
        }
    }

    private static Map<String, Object> segment(int index, long start, long end, long offset, boolean done) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("index", index);
        s.put("start", start);
        s.put("end", end);
        s.put("offset", offset);
        s.put("done", done);
        s.put("progress", done ? 1.0 : progress(offset - start, end - start));
        return s;
    }

    private static double progress(long done, long size) {
        if (size < 0) {
            return 0;
        }
        if (size == 0) {
            return 1;
        }
        return Math.min(1.0, Math.round(done * 10_000.0 / size) / 10_000.0);
    }

    static String state(TransferRecord r) {
        return switch (r.status()) {
            case ACCEPTED -> "queued";
            case ACTIVE -> "interrupted";
            case PUBLISHED -> "done";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
        };
    }

    static Reply ok(int status, Object body) {
        try {
            return Reply.json(status, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static Reply error(int status, String message) {
        Map<String, Object> body = new HashMap<>();
        body.put("error", message);
        body.put("status", status);
        return ok(status, body);
    }

    /** {@code action} on the transfer or tree {@code id}; 404 for a text that cannot be an id ({@link #plausible}). */
    Reply forId(String id, java.util.function.Function<String, Reply> action) {
        return plausible(id) ? action.apply(id) : notFound(id);
    }

    /**
     * Ids are made of letters, digits and dashes ({@code d-<hex>}, {@code u-<hex>}): another is no transfer, found
     * without asking the ledger, which a NUL in it made fail as if the ledger were down (503).
     */
    private static boolean plausible(String id) {
        return id != null && !id.isEmpty() && id.length() <= 200 && id.chars().allMatch(c -> c == '-' || c == '_'
                || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    }

    private static Reply notFound(String id) {
        return error(404, "no transfer " + id);
    }

    static Reply unavailable(LedgerException e) {
        LOG.warn("API call failed on the ledger: {}", e.toString());
        return error(503, "the ledger is not available: " + e.getMessage());
    }
}
