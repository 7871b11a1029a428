package dev.ferry.inbox;

import dev.ferry.camel.FerryConstants;
import dev.ferry.camel.FilingTrouble;
import dev.ferry.ledger.LedgerException;
import dev.ferry.camel.RequestFileDone;
import dev.ferry.transfer.CancelledException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.file.GenericFileOnCompletion;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.support.LoggingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the inbox routes (routes/error-handling.yaml, routes/upload-drops.yaml) do with a drop whose exchange failed:
 * a cancelled upload drop is kept aside in {@code .cancelled/} (it can resume), anything else goes to
 * {@code .failed/} with a reason file whose name always fits. Bound as {@code ferryDrops}.
 */
public final class DropOutcomes {
    private static final Logger LOG = LoggerFactory.getLogger(DropOutcomes.class);
    /**
     * Exchange property: the name a failed drop takes in {@code .failed/}, chosen once when its reason file is
     * written, so the drop moved there later (the consumer's moveFailed) lands beside that reason and no other.
     */
    static final String FAILED_NAME = "FerryFailedName";

    private final Path uploadInbox;
    private volatile BooleanSupplier stopping = () -> false;
    /** Exchanges whose file {@link #failedTarget} kept from the consumer's move, until {@link #rollbackLog} hears. */
    private final Set<String> notMoved = ConcurrentHashMap.newKeySet();

    public DropOutcomes(Path uploadInbox) {
        this.uploadInbox = uploadInbox.toAbsolutePath().normalize();
    }

    /** What says the service is stopping (its component, its Camel context): see {@link #failedTarget}. */
    public DropOutcomes stoppingWhen(BooleanSupplier stopping) {
        this.stopping = stopping;
        return this;
    }

    /**
     * Where, relative to the inbox, a failed exchange's file moves (the file consumer's moveFailed): {@code .failed/}
     * under the name its reason file was written for, or {@code .cancelled/}; null for no move at all.
     *
     * <p>A failure the routes' onException never saw has no reason file. Camel ends an exchange that way when a stop
     * runs out of time (the service's SIGTERM, or the inbox route's when another node takes the inbox): it refuses
     * the exchange's next step with a RejectedExecutionException no error handler sees, and the consumer applies
     * moveFailed. Such a drop did not fail. It stays in the inbox, to be taken again at the next start (the ledger
     * knows a transfer it accepted, and an upload it published) -- except a request whose download was published,
     * whose route's last step alone was refused: run again, it would find its target there and fail, so it goes to
     * {@code .done/} here, as that step would have filed it. Either way the consumer must move nothing, and no name
     * says so: Camel deletes a move's target first, so the file's own name would destroy it. Null does (the rename
     * then fails on the missing name before it touches a file, and the consumer only releases the file); the
     * consumer's complaint about that is kept out of the log ({@link #rollbackLog}).
     * Any other failure without a reason (the reason file's own write failed) gets its reason written here: no drop
     * is ever in {@code .failed/} without one.
     */
    /**
     * The request inbox's last step: the request ran (or was answered); its file goes to {@code .done/}
     * ({@link RequestFileDone}), and a reason left in {@code .failed/} by its earlier run, no longer true, goes.
     */
    public void requestDone(Exchange exchange) throws IOException {
        try {
            new RequestFileDone().file(exchange);
        } catch (IOException e) {
            String path = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
            if (path != null) {
                FilingTrouble.failed(Path.of(path), ".done/ cannot take it: " + innermost(e));
            }
            throw e;
        }
        String parent = exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class);
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        if (parent != null && name != null) {
            ReasonFiles.dropStale(Path.of(parent).resolve(FailedDrops.FOLDER), name);
        }
    }

    public String failedTarget(Exchange exchange) throws IOException {
        if (ledgerAway(exchange)) {
            String path = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
            FilingTrouble.ledgerAway(Path.of(path), innermost(failure(exchange)));
            notMoved.add(exchange.getExchangeId());
            return null;
        }
        if (keptAside(exchange)) {
            String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
            // The consumer's move replaces what has the name; an earlier cancelled drop of it moves out of the way.
            CancelledDrops.makeRoom(uploadInbox.resolve(name));
            return CancelledDrops.FOLDER + "/" + name;
        }
        String name = failedName(exchange);
        Path parent = Path.of(exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class));
        Path folder = parent.resolve(FailedDrops.FOLDER);
        if (!Files.exists(folder.resolve(ReasonFiles.nameFor(name)), LinkOption.NOFOLLOW_LINKS)) {
            String dropped = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
            if (stopping(exchange)) {
                Object published = exchange.getIn().getHeader(FerryConstants.PUBLISHED);
                if (published != null && !parent.toAbsolutePath().normalize().equals(uploadInbox)) {
                    try {
                        new RequestFileDone().file(exchange);
                        LOG.info("{} was downloaded to {} as the service stopped; filed in .done/", dropped,
                                published);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("{} was downloaded to {} as the service stopped, but cannot be filed in .done/ ({});"
                                + " it stays in the inbox", dropped, published, e.toString());
                    }
                } else {
                    LOG.info("{} was stopped with the service before it ended; it stays in the inbox, and the next"
                            + " start takes it again", dropped);
                }
                // The renamer's copy of the exchange keeps its id.
                notMoved.add(exchange.getExchangeId());
                return null;
            }
            ReasonFiles.write(folder, name, unhandledReason(exchange));
            LOG.warn("{} failed without a reason from the route; moved to {}/{} with one", dropped,
                    FailedDrops.FOLDER, name);
        }
        return FailedDrops.FOLDER + "/" + name;
    }

    /**
     * Where the upload inbox's consumer moves a sent drop: nowhere (null, as {@link #failedTarget} refuses a move),
     * since the drop is filed in {@code .done/} here, or is no longer in the inbox. Another node filed it already: it
     * took the inbox over while this one was frozen, and found the drop sent. Camel deletes a move's target before it
     * renames, so this node's move would delete that node's filing of the very drop -- also when this node froze
     * after looking here and before that delete (SharedInboxFailoverTest lost a filing so, once): the drop is filed by
     * a link and an unlink, which never replace a file. Where the file system has no hard links, Camel moves it.
     */
    public String doneTarget(Exchange exchange) {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        String path = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
        if (path == null) {
            return DoneDrops.FOLDER + "/" + name;
        }
        Path drop = Path.of(path);
        if (!Files.exists(drop, LinkOption.NOFOLLOW_LINKS)) {
            LOG.info("{} was filed by another node meanwhile (it took the inbox over); nothing to move", name);
            notMoved.add(exchange.getExchangeId());
            return null;
        }
        Path filed = drop.resolveSibling(DoneDrops.FOLDER).resolve(drop.getFileName());
        try {
            Files.createDirectories(filed.getParent());
        } catch (java.io.IOException e) {
            // A file in the way of the folder (it said "in .done/ already" below, at every poll), or no space.
            FilingTrouble.failed(drop, filed.getParent() + " cannot be made a folder: " + innermost(e));
            notMoved.add(exchange.getExchangeId());
            return null;
        }
        try {
            Files.createLink(filed, drop);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Filed meanwhile by another node, or a newer drop of the name is in the inbox: nothing is replaced, and
            // the next poll sets the earlier copy aside (UploadDone) before it files what is in the inbox then.
            LOG.info("{} is in {}/ already; what is in the inbox under its name waits for the next poll", name,
                    DoneDrops.FOLDER);
            notMoved.add(exchange.getExchangeId());
            return null;
        } catch (UnsupportedOperationException | java.io.IOException e) {
            return DoneDrops.FOLDER + "/" + name;
        }
        try {
            Files.delete(drop);
        } catch (java.io.IOException e) {
            LOG.warn("{} is filed in {}/ but could not leave the inbox ({}); remove it from the inbox", name,
                    DoneDrops.FOLDER, e.getMessage());
        }
        // A reason left from an earlier failure of this drop (moved back from .failed/ to try again) is no longer true.
        ReasonFiles.dropStale(drop.resolveSibling(FailedDrops.FOLDER), drop.getFileName().toString());
        notMoved.add(exchange.getExchangeId());
        return null;
    }

    /** The service, or the route that took the drop, is stopping: Camel refuses the steps it has not run yet. */
    private boolean stopping(Exchange exchange) {
        CamelContext context = exchange.getContext();
        if (stopping.getAsBoolean() || context.isStopping() || context.isStopped()) {
            return true;
        }
        String route = exchange.getFromRouteId();
        ServiceStatus status = route == null ? null : context.getRouteController().getRouteStatus(route);
        return status != null && !status.isStarted();
    }

    /**
     * The reason for a failure the routes did not write one for. The exchange's exception is not to be had here (the
     * bean language calls {@link #failedTarget} with a copy whose exception it cleared): only the one onException
     * caught, when the failure was in its own steps.
     */
    private static String unhandledReason(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String why = e == null ? "the transfer ended without a reason Ferry could read; the service's log at this time"
                + " says more" : e.getMessage() != null ? e.getMessage() : e.toString();
        return why + "\nTo try again, move the file back into the inbox.";
    }

    /**
     * The inbox consumers' onCompletionExceptionHandler: Camel's own for a move that failed, and nothing for the one
     * {@link #failedTarget} refused (a drop the stop interrupted), which it has said in one line already.
     */
    public ExceptionHandler rollbackLog() {
        ExceptionHandler camel = new LoggingExceptionHandler(null, GenericFileOnCompletion.class);
        return new ExceptionHandler() {
            @Override
            public void handleException(Throwable exception) {
                camel.handleException(exception);
            }

            @Override
            public void handleException(String message, Throwable exception) {
                camel.handleException(message, exception);
            }

            @Override
            public void handleException(String message, Exchange exchange, Throwable exception) {
                if (exchange != null && notMoved.remove(exchange.getExchangeId())) {
                    return;
                }
                String path = exchange == null ? null : exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
                if (path == null) {
                    camel.handleException(message, exchange, exception);
                    return;
                }
                // The drop's move to .done/ or .failed/ failed: one line, and a wait before the next try.
                FilingTrouble.failed(Path.of(path), innermost(exception));
            }
        };
    }

    /** The innermost cause's words: Camel's wrappers say "Cannot store file" and hide "No space left on device". */
    private static String innermost(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
        return t == e ? m : e.getMessage() + " (" + m + ")";
    }

    /**
     * The drop did not fail: the ledger could not be reached to record its transfer or read its outcome (the
     * database stopped or restarting, the network to it cut). It waits in the inbox ({@link #failedTarget}) instead of
     * going to {@code .failed/}; error-handling.yaml writes no reason for it.
     */
    public boolean ledgerAway(Exchange exchange) {
        return LedgerException.connectionLost(failure(exchange));
    }

    private static Throwable failure(Exchange exchange) {
        return exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** A person cancelled the transfer of a file dropped into the upload inbox. */
    public boolean keptAside(Exchange exchange) {
        String parent = exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class);
        if (parent == null || !Path.of(parent).toAbsolutePath().normalize().equals(uploadInbox)) {
            return false;
        }
        Throwable e = failure(exchange);
        for (int depth = 0; e != null && depth < 10; e = e.getCause(), depth++) {
            if (e instanceof CancelledException) {
                return true;
            }
        }
        return false;
    }

    /** {@code <name>.error.txt} for the name the drop takes in {@code .failed/}, shortened where too long. */
    public String reasonFileName(Exchange exchange) {
        return ReasonFiles.nameFor(failedName(exchange));
    }

    /** The drop's free name in {@code .failed/} ({@link FailedDrops#freeName}), the same each time it is asked. */
    private static String failedName(Exchange exchange) {
        String chosen = exchange.getProperty(FAILED_NAME, String.class);
        if (chosen == null) {
            String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
            Path parent = Path.of(exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class));
            chosen = FailedDrops.freeName(parent.resolve(FailedDrops.FOLDER), name);
            exchange.setProperty(FAILED_NAME, chosen);
        }
        return chosen;
    }

    /**
     * The failure is handled here, not by the consumer's moveFailed, when it is a request's whose file was replaced
     * under its name while it ran: the file now there is a new request, to be run, not filed with this failure.
     */
    public boolean replacedRequest(Exchange exchange) throws IOException {
        return RequestFileDone.replaced(exchange);
    }

    /** For a {@link #replacedRequest}: the request that failed, as it was read, into its place in {@code .failed/}. */
    public void failedAsRead(Exchange exchange) throws IOException {
        if (replacedRequest(exchange)) {
            Path parent = Path.of(exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class));
            RequestFileDone.failedAsRead(exchange, parent.resolve(FailedDrops.FOLDER).resolve(failedName(exchange)));
        }
    }

    /** The reason file's text: the failure's message, in words. */
    public String reasonText(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e == null) {
            e = exchange.getException();
        }
        String message = e == null ? "unknown failure" : e.getMessage() != null ? e.getMessage() : e.toString();
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        CancelledException cancel = CancelledException.in(e);
        if (cancel != null) {
            // Only a request comes here cancelled (a cancelled upload drop waits in .cancelled/): what to do next.
            String id = cancel.transferId();
            dev.ferry.plan.TransferRequest r = exchange.getProperty(FerryConstants.REQUEST,
                    dev.ferry.plan.TransferRequest.class);
            String what = r == null ? "" : r.direction() == dev.ferry.plan.Direction.DOWNLOAD
                    ? " (" + r.server() + ":" + r.remotePath() + " to " + r.localPath() + ")"
                    : " (" + r.localPath() + " to " + r.server() + ":" + r.remotePath() + ")";
            message = "transfer " + id + what + " was cancelled (through the API or the status page); what it moved is kept."
                    + " To resume it, move this request back into the request inbox (it continues where it stopped"
                    + " and goes to .done/), or POST /api/transfers/" + id + "/resume; POST /api/transfers/" + id
                    + "/discard gives it up and removes its part file";
        }
        return ReasonFiles.text(name, message);
    }
}
