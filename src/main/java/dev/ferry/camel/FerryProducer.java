package dev.ferry.camel;

import dev.ferry.Printable;
import dev.ferry.camel.RequestParser.Parsed;
import dev.ferry.camel.RequestParser.RequestException;
import dev.ferry.ledger.ClusterView;
import dev.ferry.ledger.LostLeaseException;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.ledger.UnitOfWork;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferView;
import dev.ferry.source.SourceState;
import dev.ferry.transfer.LiveTransfer;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import dev.ferry.transfer.TransferResult;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link FerryOperation} on the shared engine: on the calling thread, except {@code batch}, whose
 * exchanges complete later on the {@link BatchLanes}.
 */
public class FerryProducer extends DefaultAsyncProducer {
    private static final Logger LOG = LoggerFactory.getLogger(FerryProducer.class);

    private final FerryEndpoint endpoint;
    private final FerryConfiguration config;

    /** For request resolution outside a route (recovery), with the component's defaults only. */
    private boolean recordRefusals = true;

    FerryProducer(FerryEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
    }

    private FerryComponent component() {
        return endpoint.getComponent();
    }

    private TransferEngine engine() {
        return component().engine();
    }

    /** The batch step's lanes, started with the producer. */
    private BatchLanes lanes;

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (config.getOperation() == FerryOperation.batch) {
            lanes = new BatchLanes(engine().ledger(), this::batchItem, config.getLanes(), config.getBatchSize(),
                    component()::isServiceStopping);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (lanes != null) {
            lanes.stop();
            lanes = null;
        }
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (config.getOperation() == FerryOperation.batch) {
            lanes.submit(exchange, callback);
            return false;
        }
        try {
            processNow(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        callback.done(true);
        return true;
    }

    private void processNow(Exchange exchange) throws Exception {
        try {
            switch (config.getOperation()) {
                case accept -> accept(exchange);
                case plan -> plan(exchange);
                case segment -> segment(exchange);
                case publish -> publish(exchange);
                case transfer -> transfer(exchange);
                case batch -> throw new IllegalStateException("ferry:batch runs on its lanes");
                default -> throw new IllegalStateException("unknown operation " + config.getOperation());
            }
        } catch (Exception e) {
            if (component().isServiceStopping() && config.getOperation() != FerryOperation.accept
                    && !fromServiceQueue(exchange)) {
                parkUntilExit(exchange, e);
            }
            LostLeaseException lost = LostLeaseException.in(e);
            if (lost != null && fromInboxFile(exchange) && endsTheExchange(config.getOperation())) {
                continueAfterLostLease(exchange, lost);
                return;
            }
            throw e;
        }
    }

    // ---- a lost lease ----------------------------------------------------------------------------------------

    private static boolean endsTheExchange(FerryOperation op) {
        return op == FerryOperation.plan || op == FerryOperation.publish || op == FerryOperation.transfer;
    }

    /** An inbox file (a drop or a request file): Camel moves it to .done or .failed when its exchange completes. */
    private static boolean fromInboxFile(Exchange exchange) {
        return exchange.getFromEndpoint() instanceof GenericFileEndpoint<?>;
    }

    /**
     * Another node owns the transfer now (or this one gave its lease up): like a shutdown, the inbox file must not go
     * to .failed, since the transfer goes on elsewhere. This exchange waits for the ledger to say how it ended — the
     * file then moves as if this node had run it — or for this node's claim loop to claim it back, and then runs it
     * again here. Files the new owner may use are left alone: this node writes nothing for the transfer meanwhile.
     */
    private void continueAfterLostLease(Exchange exchange, LostLeaseException lost) throws Exception {
        TransferRequest request = exchange.getProperty(FerryConstants.REQUEST, TransferRequest.class);
        if (request == null || !request.id().equals(lost.transferId())) {
            throw lost;
        }
        LOG.info("{}: {} stays where it is while another node runs the transfer", request.id(), source(exchange));
        Optional<TransferResult> elsewhere = LostLeaseWait.until(engine(), request,
                component()::isServiceStopping);
        if (elsewhere.isEmpty()) {
            if (component().isServiceStopping()) {
                parkUntilExit(exchange, lost);
            }
            if (!engine().ledger().leases().holds(request.id())) {
                throw lost; // interrupted
            }
            // Claimed back by this node: run it here, as the exchange would have.
            LOG.info("{} is this node's again; running it", request.id());
            if (config.getOperation() == FerryOperation.plan) {
                planned(exchange, engine().plan(request));
                return;
            }
            done(exchange, engine().runAccepted(request));
            return;
        }
        if (config.getOperation() == FerryOperation.plan) {
            exchange.setProperty(FerryConstants.JOINED_RESULT, elsewhere.get());
            exchange.getIn().setBody(List.of());
        } else {
            done(exchange, elsewhere.get());
        }
    }

    // ---- accept ----------------------------------------------------------------------------------------------

    private void accept(Exchange exchange) {
        TransferRequest request = toRequest(exchange);
        if (fromServiceQueue(exchange)) {
            letGoIfItFails(exchange, request); // before the first ledger call: the look for a run done already
        }
        // Passed on by the queue's route, which found it done already: said once, not looked up again.
        TransferResult found = exchange.getProperty(FerryConstants.JOINED_RESULT, TransferResult.class);
        Optional<TransferResult> before;
        TransferRequest accepted = null;
        if (found != null) {
            before = Optional.of(found);
        } else {
            // Looked at again when the row was published between the look and the accept: the same request running
            // on another node (a message published twice) ended meanwhile, and its publish may be this one's answer.
            // Each round but the last holds the row to the look; a row published again at every look (never seen in
            // practice) is accepted as it is then, as before.
            int rounds = 0;
            do {
                Look look = doneAlready(exchange, request);
                before = look.done();
                if (before.isEmpty()) {
                    accepted = look.looked() && ++rounds < 5 ? engineCall(exchange, request,
                            r -> engine().acceptAsSeen(r, look.row()).orElse(null))
                            : engineAccept(exchange, request);
                }
            } while (before.isEmpty() && accepted == null);
        }
        if (before.isPresent()) {
            // plan and publish pass the result on: nothing is sent, the drop moves to .done.
            exchange.setProperty(FerryConstants.JOINED_RESULT, before.get());
            accepted = engine().check(request);
        }
        exchange.getIn().setBody(accepted);
        exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, accepted.id());
        exchange.setProperty(FerryConstants.REQUEST, accepted);
    }

    /**
     * A queued run that fails before the engine ends it (a ledger call that did not answer, at its acceptance or its
     * plan) leaves its transfer unfinished under this node's lease, which the claim loop leaves alone: the engine lets
     * it go, and the claim loop runs it again. A transfer back from waiting for its server (ServerWaits) sent into a
     * ledger outage stayed so until the process restarted.
     */
    private void letGoIfItFails(Exchange exchange, TransferRequest request) {
        String id;
        try {
            id = engine().check(request).id();
        } catch (IllegalArgumentException e) {
            return; // refused as it is read: nothing was claimed
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onFailure(Exchange e) {
                engine().letGo(id);
            }
        });
    }

    private TransferRequest engineAccept(Exchange exchange, TransferRequest request) {
        return engineCall(exchange, request, engine()::accept);
    }

    private TransferRequest engineCall(Exchange exchange, TransferRequest request,
                                       UnaryOperator<TransferRequest> step) {
        try {
            return step.apply(request);
        } catch (IllegalArgumentException e) {
            // A readable request that names an unknown server or an unsafe path: the ledger keeps it as FAILED,
            // with the reason, like any transfer that cannot finish.
            String reason = source(exchange) + ": " + e.getMessage();
            refused(request, reason);
            throw new RequestException(reason, e);
        }
    }

    private TransferRequest toRequest(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        String source = source(exchange);
        if (body instanceof TransferRequest r) {
            return r.withOptions(r.options().over(config.options()));
        }
        // A file is uploaded, whatever its name: a request arrives as its text (the request inbox reads its files
        // so), a Map or a TransferRequest. A data.json dropped to be uploaded was run as a download request.
        if (body instanceof GenericFile<?> gf) {
            return upload(exchange, Path.of(gf.getAbsoluteFilePath()), gf.getRelativeFilePath());
        }
        if (body instanceof File f) {
            return upload(exchange, f.toPath(), f.getName());
        }
        Parsed parsed;
        if (body instanceof Map<?, ?> map) {
            parsed = RequestParser.parse(map, source);
        } else {
            parsed = RequestParser.parse(exchange.getIn().getBody(String.class), source);
        }
        return resolve(parsed, source);
    }

    /** A parsed request with the defaults filled in and its local path resolved inside the download directory. */
    TransferRequest resolve(Parsed parsed, String source) {
        String server = serverFor(parsed.server(), source);
        String remote = remotePath(server, parsed.remotePath(), source);
        String localName = parsed.localPath() == null ? PathGuard.remoteName(remote)
                // "dir/" means "into dir", keeping the remote name (as cp does), not a file named dir.
                : parsed.localPath().endsWith("/") ? parsed.localPath() + PathGuard.remoteName(remote)
                : parsed.localPath();
        Path local;
        try {
            local = PathGuard.localInside(downloadDir(), localName);
        } catch (IllegalArgumentException e) {
            String reason = source + ": field 'localPath': " + e.getMessage();
            refused(new TransferRequest(parsed.direction(), server, remote, localName, parsed.options()), reason);
            throw new RequestException(reason, e);
        }
        TransferOptions options = parsed.options() == null ? TransferOptions.none() : parsed.options();
        TransferRequest request = new TransferRequest(parsed.direction(), server, remote, local.toString(),
                options.over(config.options()));
        // Written below the download directory only, through no link (checked again when it is written).
        return parsed.direction() == Direction.DOWNLOAD ? request.fromFolder(downloadDir().toString()) : request;
    }

    /** A dropped file: it goes to the server under its name relative to the inbox, in the remote directory. */
    private TransferRequest upload(Exchange exchange, Path file, String relative) {
        String source = source(exchange);
        boolean followLinks = config.getFollowLinks() != null ? config.getFollowLinks() : component().isFollowLinks();
        InboxLinks.check(file, followLinks, source);
        String server = serverFor(null, source);
        String dir = config.getRemoteDir() != null ? config.getRemoteDir()
                : component().getRemoteDirs().getOrDefault(server, "/");
        String remote;
        try {
            remote = PathGuard.remoteInside(dir, relative.replace(File.separatorChar, '/'));
        } catch (IllegalArgumentException e) {
            throw new RequestException(source + ": " + e.getMessage(), e);
        }
        // Checked above as it is now: the planner reads it without following a link swapped in after this
        return new TransferRequest(Direction.UPLOAD, server, remote, file.toAbsolutePath().normalize().toString(),
                config.options(), null, followLinks);
    }

    private String serverFor(String named, String source) {
        String server = named != null ? named : config.getServer() != null ? config.getServer()
                : component().getDefaultServer();
        if (server == null || server.isBlank()) {
            throw new RequestException(source + ": field 'server' is missing and no ferry.default-server is"
                    + " configured; name a server profile (ferry.servers.<name>.host ...)");
        }
        return server;
    }

    private String remotePath(String server, String remotePath, String source) {
        try {
            if (remotePath.startsWith("/")) {
                return PathGuard.remoteAbsolute(remotePath);
            }
            return PathGuard.remoteInside(component().getRemoteDirs().getOrDefault(server, "/"), remotePath);
        } catch (IllegalArgumentException e) {
            throw new RequestException(source + ": field 'remotePath': " + e.getMessage(), e);
        }
    }

    private Path downloadDir() {
        String dir = config.getDownloadDir() != null ? config.getDownloadDir() : component().getDownloadDir();
        return Path.of(dir).toAbsolutePath().normalize();
    }

    private void refused(TransferRequest request, String reason) {
        if (!recordRefusals) {
            return;
        }
        try {
            TransferRecord record = TransferRecord.accepted(request.id(), request.direction(), request.server(),
                    request.remotePath(), request.localPath(), Requests.toJson(request));
            engine().ledger().accept(record);
            // Marked so the API never resumes it: its stored request is the one refused, unchecked (an absolute or
            // escaping local path ran as it was).
            engine().ledger().status(request.id(), TransferStatus.FAILED, TransferRecord.REFUSED + reason);
        } catch (RuntimeException e) {
            LOG.warn("could not record the refused request {} in the ledger: {}", request, e.toString());
        }
        LOG.error("{} refused: {}", request.id(), reason);
    }

    FerryProducer withoutRecording() {
        recordRefusals = false;
        return this;
    }

    /** The request file's name, or the message's origin: what a person looks for. */
    static String source(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        // Printable: the name may hold a line break, and the reason file and the log line read it.
        if (body instanceof GenericFile<?> gf) {
            return "file " + Printable.of(gf.getAbsoluteFilePath());
        }
        String file = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
        if (file != null) {
            return "request file " + Printable.of(file);
        }
        String from = exchange.getFromEndpoint() == null ? "?" : exchange.getFromEndpoint().getEndpointBaseUri();
        return "request message " + exchange.getExchangeId() + " from " + from;
    }

    // ---- plan, segment, publish ------------------------------------------------------------------------------

    private void plan(Exchange exchange) throws Exception {
        if (exchange.getProperty(FerryConstants.JOINED_RESULT) != null) {
            exchange.getIn().setBody(List.of());
            return;
        }
        TransferRequest request = request(exchange);
        String id = request.id();
        exchange.setProperty(FerryConstants.REQUEST, request);
        boolean waited = engine().claims().claim(id);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                if (e.isFailed()) {
                    // A failure of the pipeline's own (its idempotent consumer's ledger call) that the engine never
                    // saw: the run ends here, before the claim goes, or it stayed in the engine as running for ever.
                    LiveTransfer live = e.getProperty(FerryConstants.LIVE_TRANSFER, LiveTransfer.class);
                    if (live != null) {
                        engine().stopUnended(live, e.getException());
                    }
                }
                engine().claims().release(id);
                if (e.isFailed() && fromServiceQueue(e)) {
                    engine().letGo(id); // after the claim: accept's own hook may have found it still claimed
                }
            }
        });
        exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, id);
        Optional<TransferResult> joined = waited ? publishedMeanwhile(request) : Optional.empty();
        if (joined.isPresent()) {
            exchange.setProperty(FerryConstants.JOINED_RESULT, joined.get());
            exchange.getIn().setBody(List.of());
            return;
        }
        planned(exchange, engine().plan(request, comeback(exchange)));
    }

    /**
     * How a transfer whose server cannot be reached comes back, where its route lets it wait aside instead of on this
     * thread ({@link FerryConstants#WAIT_ASIDE}); null: it waits here (an upload drop, whose inbox is for one server).
     */
    private dev.ferry.transfer.ServerWaits.Comeback comeback(Exchange exchange) {
        String aside = exchange.getProperty(FerryConstants.WAIT_ASIDE, String.class);
        if ("queue".equals(aside)) {
            return engine().serverWaits().viaQueue();
        }
        String file = exchange.getIn().getHeader("CamelFileAbsolutePath", String.class);
        if ("inbox".equals(aside) && fromInboxFile(exchange) && file != null) {
            return ServerAwayFiles.of(Path.of(file), engine().serverWaits());
        }
        return null;
    }

    /** The plan's segments as the body, one task each, for the split. */
    private static void planned(Exchange exchange, LiveTransfer t) {
        exchange.setProperty(FerryConstants.LIVE_TRANSFER, t);
        List<SegmentTask> tasks = new ArrayList<>();
        for (TransferView.SegmentView s : t.segments()) {
            tasks.add(new SegmentTask(t.id(), s.index(), s.start(), s.end(), s.offset(), s.done()));
        }
        exchange.getIn().setBody(tasks);
    }

    private void segment(Exchange exchange) throws TransferFailedException {
        SegmentTask task = exchange.getIn().getBody(SegmentTask.class);
        if (task == null) {
            throw new IllegalArgumentException("ferry:segment needs a SegmentTask body (split the body of ferry:plan)");
        }
        exchange.setProperty(FerryConstants.SEGMENT_TASK, task);
        engine().runSegment(live(exchange), task.index());
    }

    private void publish(Exchange exchange) throws Exception {
        TransferResult joined = exchange.getProperty(FerryConstants.JOINED_RESULT, TransferResult.class);
        if (joined != null) {
            done(exchange, joined);
            return;
        }
        LiveTransfer t = live(exchange);
        SegmentOutcome outcome = exchange.getIn().getBody(SegmentOutcome.class);
        Throwable f = outcome == null ? null : outcome.failure();
        if (f != null && !(f instanceof TransferFailedException)) {
            // Not the engine's (a ledger call of the idempotent consumer): the route's error handling decides.
            throw f instanceof Exception e ? e : new RuntimeException(f);
        }
        // The engine publishes, or throws the segments' failure, or starts over from a source that changed.
        done(exchange, engine().publishOrRestart(request(exchange), t, (TransferFailedException) f));
    }

    /**
     * A drop still in the inbox whose transfer the ledger holds as PUBLISHED from this very file (same size and
     * modification time, and put in the inbox before it was published): the node that published it died before the
     * drop moved to .done (a kill -9, or a batch committed just before one). Sent again, it would meet its own copy
     * on the server, and fail under fileExist Fail; it is done already. The same file put in the inbox again after
     * it was published (moved back from .done/ to send it again, which keeps its modification time) is a new drop.
     * Likewise a message the broker delivered again, and a download asked for again whose file is still as it was
     * published ({@link dev.ferry.transfer.TransferEngine#publishedAlready}).
     */
    private Look doneAlready(Exchange exchange, TransferRequest request) {
        boolean inboxFile = fromInboxFile(exchange);
        DeliveredAgain again = inboxFile ? null : DeliveredAgain.of(exchange);
        if (!inboxFile && again == null && request.direction() != Direction.DOWNLOAD) {
            return Look.NONE;
        }
        // Checked and looked up once for both questions: a request file asked them twice, each with its own.
        TransferRequest checked = checkedOrNull(request);
        if (checked == null) {
            return Look.NONE;
        }
        Optional<TransferRecord> row = engine().ledger().find(checked.id());
        Optional<TransferResult> before = Optional.empty();
        if (again != null) {
            before = publishedBeforeRedelivery(row, again, checked);
        } else if (inboxFile) {
            // An upload's inbox file is its source; a download's is the request file, its download the local path.
            before = publishedBeforeCrash(row, request.direction() == Direction.UPLOAD ? null
                    : Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class)));
            if (before.isEmpty() && request.direction() == Direction.UPLOAD) {
                before = filedElsewhere(exchange, row);
            }
        }
        return new Look(before.isPresent() ? before : engine().publishedAlready(checked, row), row, true);
    }

    /**
     * What {@link #doneAlready} found: the earlier run that answers the request, if any, and the row it judged by
     * ({@code looked}: whether it read one at all).
     */
    private record Look(Optional<TransferResult> done, Optional<TransferRecord> row, boolean looked) {
        static final Look NONE = new Look(Optional.empty(), Optional.empty(), false);
    }

    /**
     * A message the broker delivered again after its transfer was published: the node that took it first accepted it
     * and died (or stopped) before the acknowledgement, and the transfer was finished by a recovery. Accepted again,
     * the finished row would re-open, and the new run would meet its own download and fail under fileExist Fail.
     * It is done when it was sent before that publish and the published file is still the one published.
     */
    private Optional<TransferResult> publishedBeforeRedelivery(Optional<TransferRecord> record, DeliveredAgain again,
                                                               TransferRequest checked) {
        if (record.isEmpty() || record.get().status() != TransferStatus.PUBLISHED) {
            return Optional.empty();
        }
        TransferRecord r = record.get();
        if (!again.sentBefore(r.updated()) || !stillPublished(r)) {
            return Optional.empty();
        }
        // Without a send time (a plain AMQP publish has none) the broker's word alone cannot tell this delivery from
        // a new request for the same file that waited unacknowledged: the publish is this message's own only if it
        // was of this very request (same options), as the ledger recorded it.
        if (again.sent() == null && !dev.ferry.plan.Requests.toJson(checked).equals(r.request())) {
            return Optional.empty();
        }
        LOG.info("{} was published after its message was sent; the broker delivered it again; nothing to send",
                r.id());
        return Optional.of(TransferResult.publishedEarlier(r.id(),
                r.direction() == Direction.DOWNLOAD ? r.localPath() : r.remotePath(), r.size(),
                "already published (the message was delivered again)"));
    }

    /** The request as accepting it records it; null when it cannot run (an unknown server, an unsafe path). */
    private TransferRequest checkedOrNull(TransferRequest request) {
        try {
            return engine().check(request);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean inboxUpload(Exchange exchange, TransferRequest request) {
        return request.direction() == Direction.UPLOAD && fromInboxFile(exchange);
    }

    /**
     * A drop (or request file) left in its inbox by a crash after its transfer was published, on its ledger row;
     * {@code requestFile} is a download's request file, null for an upload's drop.
     */
    private Optional<TransferResult> publishedBeforeCrash(Optional<TransferRecord> record, Path requestFile) {
        if (record.isEmpty() || record.get().status() != TransferStatus.PUBLISHED) {
            return Optional.empty();
        }
        TransferRecord r = record.get();
        if (!leftBehind(r, requestFile == null ? Path.of(r.localPath()) : requestFile)) {
            return Optional.empty();
        }
        LOG.info("{} was published before a crash and its inbox file had not moved yet; nothing to send", r.id());
        return Optional.of(TransferResult.publishedEarlier(r.id(), r.remotePath(), r.size(),
                "already published (before a crash)"));
    }

    /**
     * A drop taken by this node that left the inbox before its turn came, its transfer published since it was taken:
     * another node that took the inboxes over (this one was frozen past its lease) sent it and filed it in .done/.
     * Accepted here, the finished row was taken back and failed ("does not exist"), with a reason file in .failed/
     * for a drop that was delivered.
     */
    private static Optional<TransferResult> filedElsewhere(Exchange exchange, Optional<TransferRecord> record) {
        String path = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
        return path == null ? Optional.empty()
                : filedElsewhere(Path.of(path), exchange.getClock().getCreated(), record);
    }

    /** How far apart two nodes' clocks may be for {@link #filedElsewhere}. */
    static final long CLOCKS_APART_MILLIS = 10 * 60_000L;

    /** {@link #filedElsewhere(Exchange, Optional)} of the drop at {@code drop}, taken at {@code takenAtMillis}. */
    static Optional<TransferResult> filedElsewhere(Path drop, long takenAtMillis, Optional<TransferRecord> record) {
        // The row's time is the publishing node's clock, the exchange's this node's: nodes' clocks a few minutes
        // apart must not bring back the failed rows; a drop removed by hand whose name was published long before its
        // taking still fails "does not exist".
        if (record.isEmpty() || record.get().status() != TransferStatus.PUBLISHED
                || java.nio.file.Files.exists(drop, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || record.get().updated().toEpochMilli() < takenAtMillis - CLOCKS_APART_MILLIS) {
            return Optional.empty();
        }
        TransferRecord r = record.get();
        LOG.info("{} left the inbox while it waited here, published meanwhile (by the node that takes the inboxes"
                + " now); nothing to send", r.id());
        return Optional.of(TransferResult.publishedEarlier(r.id(), r.remotePath(), r.size(),
                "already published (by another node, while this one waited)"));
    }

    /**
     * Whether {@code inboxFile} is what a crash left behind in its inbox after the PUBLISHED transfer it asked for:
     * there since before the publish (one moved in later is a new request), and the file at the transfer's local path
     * still the one published (the same size and modification time). For an upload both are the drop; for a download
     * the request file and its download (stamped with the remote file's time).
     */
    static boolean leftBehind(TransferRecord published, Path inboxFile) {
        try {
            return stillPublished(published) && !SourceState.placedAfter(inboxFile, published.updated());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static boolean stillPublished(TransferRecord published) {
        return TransferEngine.stillAsPublished(published);
    }

    /** Another request for the same transfer (a recovery, a repeated message) finished it while this one waited. */
    private Optional<TransferResult> publishedMeanwhile(TransferRequest request) {
        return engine().publishedMeanwhile(request);
    }

    /**
     * A batch's exchange as the other inbox steps end one: a transfer whose lease another node took does not fail its
     * drop; the exchange waits for that node's end (after the batch's commit: only then is the path fenced).
     */
    private boolean batchItem(Exchange exchange, UnitOfWork unit) throws Exception {
        try {
            return transferInBatch(exchange, unit);
        } catch (Exception e) {
            LostLeaseException lost = LostLeaseException.in(e);
            if (unit.deferred() || lost == null || !fromInboxFile(exchange)) {
                throw e;
            }
            continueAfterLostLease(exchange, lost);
            return true;
        }
    }

    /**
     * One exchange of a batch, on a lane's thread inside the batch's ledger commit: accept, then the whole transfer.
     * A transfer another exchange is running is not waited for inside a batch (the batch's uncommitted rows could be
     * what that one waits for): it returns false and the lane runs it again after the commit, waiting then.
     */
    private boolean transferInBatch(Exchange exchange, UnitOfWork unit) throws Exception {
        boolean inBatch = unit.deferred();
        // In a batch the transfer is claimed before it is accepted: the batch's accept starts it afresh (JdbcLedger),
        // which over a transfer another exchange is running would replace that one's row at the commit.
        exchange.removeProperty(FerryConstants.SENT_RECORD);
        TransferRequest asked = toRequest(exchange);
        // One look at the ledger's row per drop answers both questions below (a query per look was a fifth of a
        // batch lane's time, #16.4): nothing writes the row between them, as the transfer is not yet claimed here.
        boolean inboxUpload = inboxUpload(exchange, asked);
        Optional<TransferRecord> known = inboxUpload ? engine().ledger().find(engine().check(asked).id()) : null;
        Optional<TransferResult> before = inboxUpload ? publishedBeforeCrash(known, null) : Optional.empty();
        if (before.isEmpty() && inboxUpload) {
            before = filedElsewhere(exchange, known);
        }
        if (before.isPresent()) {
            done(exchange, before.get());
            return true;
        }
        TransferRequest request = inBatch ? engineCall(exchange, asked, engine()::check)
                : engineAccept(exchange, asked);
        String id = request.id();
        exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, id);
        exchange.setProperty(FerryConstants.REQUEST, request);
        if (inBatch && ClusterView.of(engine().ledger()).heldElsewhere(id, known != null ? known
                : engine().ledger().find(id))) {
            // Its commit would take that node's row over, unfenced, while that node runs the transfer: after the
            // commit, the fenced path finds this node without the lease and waits for that node's end.
            return false;
        }
        boolean waited = false;
        if (inBatch) {
            if (!engine().claims().tryClaim(id)) {
                return false;
            }
        } else {
            waited = engine().claims().claim(id);
        }
        try {
            if (inBatch) {
                engineAccept(exchange, request);
            }
            Optional<TransferResult> joined = waited ? publishedMeanwhile(request) : Optional.empty();
            done(exchange, joined.isPresent() ? joined.get() : engine().runAccepted(request, unit));
            if (inBatch) {
                // The row as the batch's commit will write it, read from the batch's memory: the inbox's last check
                // (DropUnchanged) compares the drop with it after the commit instead of querying the ledger again.
                engine().ledger().find(id).ifPresent(r -> exchange.setProperty(FerryConstants.SENT_RECORD, r));
            }
        } finally {
            // A batch's rows are visible to other requests only once it commits: until then, one that wants the same
            // transfer waits for the claim, then finds it published (instead of sending the file again).
            unit.whenEnded(() -> engine().claims().release(id));
        }
        return true;
    }

    private void transfer(Exchange exchange) throws TransferFailedException {
        TransferRequest request = engineAccept(exchange, toRequest(exchange));
        exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, request.id());
        exchange.setProperty(FerryConstants.REQUEST, request);
        done(exchange, engine().runAccepted(request));
    }

    private static void done(Exchange exchange, TransferResult result) {
        exchange.getIn().setBody(result);
        exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, result.id());
        exchange.getIn().setHeader(FerryConstants.PUBLISHED, result.published());
        exchange.getIn().setHeader(FerryConstants.VERIFICATION, result.verification());
        exchange.getIn().setHeader(FerryConstants.EARLIER, result.earlier());
    }

    private static TransferRequest request(Exchange exchange) {
        if (exchange.getIn().getBody() instanceof TransferRequest r) {
            return r;
        }
        TransferRequest r = exchange.getProperty(FerryConstants.REQUEST, TransferRequest.class);
        if (r == null) {
            throw new IllegalArgumentException("ferry:plan needs an accepted TransferRequest (run ferry:accept first)");
        }
        return r;
    }

    private static LiveTransfer live(Exchange exchange) {
        LiveTransfer t = exchange.getProperty(FerryConstants.LIVE_TRANSFER, LiveTransfer.class);
        if (t == null) {
            throw new IllegalArgumentException("no planned transfer on this exchange (run ferry:plan first)");
        }
        return t;
    }

    /**
     * A transfer sent in by the service itself ({@code seda:ferry-transfers}: recovery, the API, a queued request
     * already accepted and acknowledged): no file to move, no message to acknowledge, so its exchange ends as it would
     * have; the ledger keeps a transfer the stop interrupted unfinished, and the next start resumes it. Parked, it held
     * the stop for ever, as Camel waits for every exchange a seda consumer has taken: a service stopped in-process
     * never returned (a review, and CI: a transfer waiting for a connection when the stop came).
     */
    private static boolean fromServiceQueue(Exchange exchange) {
        return exchange.getFromEndpoint() != null && exchange.getFromEndpoint().getEndpointUri().startsWith("seda:");
    }

    /**
     * The service is stopping and this step failed because of it: completing the exchange would move the dropped
     * file to .failed (or .done). Leaving it unfinished keeps the file where it is and the transfer ACTIVE in the
     * ledger; the next start resumes it. The thread is a daemon and ends with the JVM.
     */
    static void parkUntilExit(Exchange exchange, Exception e) {
        LOG.info("{} interrupted by shutdown ({}); it resumes at the next start",
                exchange.getIn().getHeader(FerryConstants.TRANSFER_ID), e.getMessage());
        while (true) {
            LockSupport.park();
            // An interrupt (Camel's forced stop of its thread pools) would make every later park return at once: a
            // thread spinning at a full core for as long as the JVM lives, which in a user's own application may be
            // long after this context stopped.
            Thread.interrupted();
        }
    }
}
