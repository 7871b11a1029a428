package dev.ferry.service;

import dev.ferry.DaemonThreads;
import dev.ferry.camel.FerryComponent;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferRequest;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.tree.TreeRequests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 4 at start-up: every transfer the ledger holds as unfinished runs again, with no new drop or message.
 * Those whose file is still in an inbox (a dropped upload, a request file) are left to the inbox route, which takes
 * the file again and resumes the same transfer, then moves the file to .done or .failed; all others (requests from
 * a queue) are sent into the pipeline through {@code seda:ferry-transfers}.
 *
 * <p>A file of a folder (its transfer's {@code tree_id}) is left to its tree when that tree will run again, whatever
 * started it: a node has the tree's order ({@code ferry_tree_order}, queue or API), its request file waits in the
 * request inbox, or a run holds the tree now. Run beside its tree, the two raced for one part file. A file whose tree
 * will not run again (its request file was removed or went to .failed, the tree ended) runs alone here, so it is never
 * forgotten; the tree's row shows INTERRUPTED (or how it ended), and a tree submitted again later waits for that run
 * in the process's claim on the file ({@link dev.ferry.transfer.Claims}) and finds it published.
 *
 * <p>It is the ledger's claim loop ({@link dev.ferry.ledger.Leases}): only transfers this node claims run here — at
 * start its own, at once; another node's once that node's lease ran out. After start it runs every lease / 3, so
 * the work of a node that died is taken over while this one runs, and so are its tree orders
 * ({@link TreeRequests#takeOver}). What it takes from another node depends on {@code ferry.cluster.shared-storage}
 * (see {@link dev.ferry.ledger.Leases}): without it only downloads, which start over here; with it uploads too, from
 * the dead node's inbox file, which is not in this node's inbox and so runs through {@code seda:ferry-transfers}.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {
    }

    static int run(TransferEngine engine, FerryComponent component, TreeRequests trees, FerrySettings settings,
                   ProducerTemplate template, String endpoint, InboxElection inboxes) {
        RequestFiles requests = requestFiles(component, trees, settings.requestInbox());
        Path uploadInbox = settings.uploadInbox().toAbsolutePath().normalize();
        Set<String> treesAgain = treesThatRunAgain(engine, requests.trees());
        // Shared inboxes: a transfer whose file waits in them is the elected node's, whose inbox route takes the
        // file again. Claimed here, it would be held (and renewed) by a node that does not run it. A file left to its
        // tree is not claimed either: the tree's run claims it, and should the tree end without it (a relisted tree
        // whose server lost the file), a later round finds it with no tree to wait for and runs it alone.
        Predicate<String> ofTree = id -> ofTreeThatRunsAgain(engine, treesAgain, id);
        Predicate<String> leaveAlone = inboxes.leads() ? ofTree
                : ofTree.or(id -> requests.transfers().contains(id) || isPendingDrop(engine, uploadInbox, id));
        List<TransferRequest> unfinished = engine.claimUnfinished(leaveAlone);
        if (unfinished.isEmpty()) {
            return 0;
        }
        int sent = 0;
        for (TransferRequest r : unfinished) {
            if (r.direction() == Direction.UPLOAD) {
                Path source = Path.of(r.localPath()).toAbsolutePath().normalize();
                if (source.startsWith(uploadInbox) && isPending(uploadInbox, source) && Files.isRegularFile(source)) {
                    LOG.info("{} resumes when the upload inbox takes {} again", r.id(), source);
                    continue;
                }
            } else if (requests.transfers().contains(r.id())) {
                LOG.info("{} resumes when the request inbox takes its request file again", r.id());
                continue;
            }
            if (r.tree() != null && deliveredByItsTree(engine, r)) {
                // Its folder ran again (the node that ran it died) and ended with every file verified, this one's
                // too: run alone now, it would fail on a source filed away in .done/ and show a delivered file FAILED.
                engine.ledger().published(r.id(), 0, 0);
                LOG.info("{} was interrupted, and its folder's later run (tree {}) delivered it, verified; recorded"
                        + " as published", r.id(), r.tree());
                continue;
            }
            LOG.info("{} was interrupted; resuming{}: {}", r.id(), r.tree() == null ? ""
                    : " alone (its tree " + r.tree() + " is not to run again)", r);
            template.sendBody(endpoint, r);
            sent++;
        }
        return sent;
    }

    /**
     * Whether the tree's run that ended after this file's transfer last moved ended with every file verified (DONE,
     * none failed or refused); for a download, with the file in place at its size.
     */
    private static boolean deliveredByItsTree(TransferEngine engine, TransferRequest r) {
        dev.ferry.ledger.TreeListings.TreeRecord tree = engine.ledger().treeListings().get(r.tree());
        TransferRecord file = engine.ledger().find(r.id()).orElse(null);
        if (tree == null || file == null || !dev.ferry.ledger.TreeListings.DONE.equals(tree.status())
                || tree.failed() != 0 || tree.refused() != 0 || !tree.updated().isAfter(file.updated())) {
            return false;
        }
        if (r.direction() == Direction.UPLOAD) {
            // The server holds the file at its size (the tree's counts alone would take a file left out of the
            // folder's later run, or one removed since, for delivered).
            try {
                dev.ferry.ftp.ServerProfile profile = engine.profiles().get(r.server());
                dev.ferry.ftp.FtpSession session = engine.pool().borrow(profile);
                try {
                    return session.stat(r.remotePath()).size() == file.size();
                } finally {
                    engine.pool().release(session);
                }
            } catch (java.io.IOException | RuntimeException e) {
                return false; // not known: run alone, as before
            }
        }
        try {
            Path local = Path.of(r.localPath());
            return Files.isRegularFile(local) && Files.size(local) == file.size();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The trees whose unfinished files are left to them: a node has their order, their request file waits in this
     * node's request inbox, or a run holds them now.
     */
    private static Set<String> treesThatRunAgain(TransferEngine engine, Set<String> requestFileTrees) {
        Set<String> trees = new HashSet<>(requestFileTrees);
        trees.addAll(engine.ledger().treeOrders().treeIds());
        trees.addAll(engine.ledger().treeListings().runningNow());
        return trees;
    }

    private static boolean ofTreeThatRunsAgain(TransferEngine engine, Set<String> trees, String id) {
        return !trees.isEmpty() && engine.ledger().find(id).map(TransferRecord::tree).filter(trees::contains)
                .isPresent();
    }

    /**
     * Sends the tree orders this node took over from nodes that stopped for good to {@code seda:ferry-trees}; how many.
     */
    static int takeOverTrees(TreeRequests trees, ProducerTemplate template, String treesEndpoint) {
        List<String> taken = trees.takeOver();
        for (String tree : taken) {
            LOG.info("tree {} was accepted by a node that stopped (its heartbeat is older than a lease); running it"
                    + " here", tree);
            template.sendBody(treesEndpoint, tree);
        }
        return taken.size();
    }

    /**
     * Runs the claim loop every lease / 3 from now on, until the returned executor is shut down: other nodes' tree
     * orders first (so their files count as left to their trees), then transfers.
     */
    static ScheduledExecutorService keepClaiming(TransferEngine engine, FerryComponent component, TreeRequests trees,
                                                 FerrySettings settings, ProducerTemplate template, String endpoint,
                                                 String treesEndpoint, InboxElection inboxes) {
        long every = Math.max(1000, engine.ledger().leases().lease().toMillis() / 3);
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-claim"));
        loop.scheduleWithFixedDelay(() -> {
            if (engine.ledger().leases().displaced()) {
                // Another process is this node now; this one stops and claims nothing.
                return;
            }
            try {
                takeOverTrees(trees, template, treesEndpoint);
                int taken = run(engine, component, trees, settings, template, endpoint, inboxes);
                if (taken > 0) {
                    LOG.info("took over {} transfer(s) whose node's lease ran out", taken);
                }
            } catch (RuntimeException e) {
                LOG.warn("the claim loop could not look for work: {}", e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return loop;
    }

    /** An upload whose dropped file is still in the upload inbox, waiting for the inbox route. */
    private static boolean isPendingDrop(TransferEngine engine, Path uploadInbox, String id) {
        return engine.ledger().find(id).filter(r -> r.direction() == Direction.UPLOAD).map(r -> {
            Path source = Path.of(r.localPath()).toAbsolutePath().normalize();
            return source.startsWith(uploadInbox) && isPending(uploadInbox, source) && Files.isRegularFile(source);
        }).orElse(false);
    }

    /** A file in the inbox the route will take: not inside a hidden folder such as .done, .failed or .camel. */
    private static boolean isPending(Path inbox, Path file) {
        for (Path part : inbox.relativize(file)) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    /** What the request inbox holds: single-file requests by transfer id, folder requests by tree id. */
    record RequestFiles(Set<String> transfers, Set<String> trees) {
    }

    static RequestFiles requestFiles(FerryComponent component, TreeRequests trees, Path inbox) {
        RequestFiles found = new RequestFiles(new HashSet<>(), new HashSet<>());
        if (!Files.isDirectory(inbox)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(inbox, "*.json")) {
            for (Path f : files) {
                try {
                    String json = Files.readString(f, StandardCharsets.UTF_8);
                    String source = "request file " + f;
                    if (trees.isTree(json)) {
                        found.trees().add(trees.treeIdOf(json, source));
                    } else {
                        TransferRequest file = component.resolveRequestFile(json, source);
                        found.transfers().add(file.id());
                        // A remotePath found to name a folder ran as a tree: the inbox runs that tree again.
                        String tree = trees.folderFoundTreeOf(file, source);
                        if (tree != null) {
                            found.trees().add(tree);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // The inbox route reports it when it takes the file.
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the request inbox {}: {}", inbox, e.toString());
        }
        return found;
    }
}
