package dev.ferry.service;

import dev.ferry.DaemonThreads;
import dev.ferry.camel.FerryComponent;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferRequest;
import dev.ferry.transfer.TransferEngine;
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
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 4 at start-up: every transfer the ledger holds as unfinished runs again, with no new drop or message.
 * Those whose file is still in an inbox (a dropped upload, a request file) are left to the inbox route, which takes
 * the file again and resumes the same transfer, then moves the file to .done or .failed; all others (requests from
 * a queue) are sent into the pipeline through {@code seda:ferry-transfers}, except the files of a folder accepted from
 * a queue or the API, which run again with their tree.
 *
 * <p>It is the ledger's claim loop ({@link dev.ferry.ledger.Leases}): only transfers this node claims run here — at
 * start its own, at once; another node's once that node's lease ran out. After start it runs every lease / 3, so
 * the work of a node that died is taken over while this one runs. What it takes from another node depends on
 * {@code ferry.cluster.shared-storage} (see {@link dev.ferry.ledger.Leases}): without it only downloads, which start
 * over here; with it uploads too, from the dead node's inbox file, which is not in this node's inbox and so runs
 * through {@code seda:ferry-transfers}.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {
    }

    static int run(TransferEngine engine, FerryComponent component, FerrySettings settings, ProducerTemplate template,
                   String endpoint, InboxElection inboxes) {
        Set<String> fromRequestFiles = requestFileIds(component, settings.requestInbox());
        Path uploadInbox = settings.uploadInbox().toAbsolutePath().normalize();
        // Shared inboxes: a transfer whose file waits in them is the elected node's, whose inbox route takes the
        // file again. Claimed here, it would be held (and renewed) by a node that does not run it.
        List<TransferRequest> unfinished = engine.claimUnfinished(inboxes.leads() ? id -> false
                : id -> fromRequestFiles.contains(id) || isPendingDrop(engine, uploadInbox, id));
        if (unfinished.isEmpty()) {
            return 0;
        }
        // A file of a folder accepted from the queue or the API is its tree's: start-up runs that tree again, and the
        // same file run beside it from here would race it for its part file.
        Set<String> trees = new HashSet<>();
        engine.ledger().treeOrders().pending(engine.ledger().leases().nodeId()).forEach(o -> trees.add(o.treeId()));
        int sent = 0;
        for (TransferRequest r : unfinished) {
            if (r.tree() != null && trees.contains(r.tree())) {
                LOG.info("{} resumes with its tree {}", r.id(), r.tree());
                continue;
            }
            if (r.direction() == Direction.UPLOAD) {
                Path source = Path.of(r.localPath()).toAbsolutePath().normalize();
                if (source.startsWith(uploadInbox) && isPending(uploadInbox, source) && Files.isRegularFile(source)) {
                    LOG.info("{} resumes when the upload inbox takes {} again", r.id(), source);
                    continue;
                }
            } else if (fromRequestFiles.contains(r.id())) {
                LOG.info("{} resumes when the request inbox takes its request file again", r.id());
                continue;
            }
            LOG.info("{} was interrupted; resuming: {}", r.id(), r);
            template.sendBody(endpoint, r);
            sent++;
        }
        return sent;
    }

    /** Runs the claim loop every lease / 3 from now on, until the returned executor is shut down. */
    static ScheduledExecutorService keepClaiming(TransferEngine engine, FerryComponent component,
                                                 FerrySettings settings, ProducerTemplate template, String endpoint,
                                                 InboxElection inboxes) {
        long every = Math.max(1000, engine.ledger().leases().lease().toMillis() / 3);
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-claim"));
        loop.scheduleWithFixedDelay(() -> {
            try {
                int taken = run(engine, component, settings, template, endpoint, inboxes);
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

    private static Set<String> requestFileIds(FerryComponent component, Path inbox) {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(inbox)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(inbox, "*.json")) {
            for (Path f : files) {
                try {
                    String json = Files.readString(f, StandardCharsets.UTF_8);
                    ids.add(component.resolveRequestFile(json, "request file " + f).id());
                } catch (IOException | RuntimeException e) {
                    // The inbox route reports it when it takes the file.
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the request inbox {}: {}", inbox, e.toString());
        }
        return ids;
    }
}
