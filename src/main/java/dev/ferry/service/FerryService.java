package dev.ferry.service;

import dev.ferry.broker.BrokerComponent;
import dev.ferry.broker.BrokerSettings;
import dev.ferry.broker.PipelineRoom;
import dev.ferry.camel.FerryComponent;
import dev.ferry.camel.SegmentAggregation;
import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.ConnectionPermits;
import dev.ferry.ledger.ConnectionSlots;
import dev.ferry.ledger.DoneSegments;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.Leases;
import dev.ferry.plan.TransferOptions;
import dev.ferry.progress.LoggingListener;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.web.FerryWeb;
import dev.ferry.web.WebSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ferry service: camel-main with the route files of {@code routes/}, one {@link TransferEngine} for every route,
 * the ledger, and recovery of unfinished transfers once the routes run.
 *
 * <p>Registry names the route files use: {@code ferryEngine}, {@code ferryLedger} (the IdempotentRepository of
 * finished segments), {@code ferrySegmentPool} (the bounded executor of the segment split),
 * {@code ferrySegmentAggregation} (the split's AggregationStrategy), {@code ferryInboxPolicy} (the inbox routes'
 * RoutePolicy: none alone, Camel's clustered one with ferry.cluster.inbox=master), {@code ferryPipelineRoom} (holds the request
 * queue while the pipeline is busy, with a broker), the {@code ferry} component, and {@code jms} (RabbitMQ, only
 * when ferry.broker.* is configured).
 */
public final class FerryService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerryService.class);
    /**
     * Where recovered and queued transfers enter the pipeline (see routes/segment-pipeline.yaml). Each is recorded
     * as accepted before it is sent here, so a full queue must hold the sender up, not refuse it: a refused one would
     * wait in the ledger until the next start.
     */
    public static final String TRANSFERS_ENDPOINT = "seda:ferry-transfers?blockWhenFull=true";
    /** Accepted folders (their tree ids), run by routes/download-requests.yaml's ferry-trees route. */
    public static final String TREES_ENDPOINT = "seda:ferry-trees?blockWhenFull=true";

    private final FerrySettings settings;
    private final Main main;
    private final JdbcLedger ledger;
    private final TransferEngine engine;
    private final FerryComponent component;
    private final dev.ferry.tree.TreeRequests trees;
    private final ExecutorService segmentPool;
    private final ConnectionPermits permits;
    private final DemoFtpServer demo;
    private final InboxLocks inboxLocks;
    private final InboxElection inboxes;
    private EventPublisher events;
    private final WebSettings webSettings;
    private volatile FerryWeb web;
    private volatile ProducerTemplate webTemplate;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    private final PrintStream banner;
    private volatile int recovered = -1;
    private volatile java.util.concurrent.ScheduledExecutorService claimLoop;
    /** Looks every 2 s that the inbox folders are still the ones this service locked ({@link InboxLocks#recheck}). */
    private volatile java.util.concurrent.ScheduledExecutorService inboxWatch;
    private volatile java.util.concurrent.ScheduledExecutorService ledgerUpkeep;

    private FerryService(FerrySettings settings, PrintStream banner) {
        this.settings = settings;
        this.banner = banner;
        // Refused before anything starts: a value out of range or of the wrong kind, a server profile without host,
        settings.checkValues();
        // folders where one route's output would be another's input,
        FolderOverlap.refuse(settings);
        // and the API bound beyond loopback without a token.
        WebSettings.refuseOtherServers(settings::get);
        this.webSettings = WebSettings.from(settings::lookup, System::getenv).checked();
        createDirectories();
        // Alone, the service holds its inboxes (a second one is refused); shared, the nodes elect who takes them.
        this.inboxes = settings.inboxElected() ? InboxElection.elected(settings.leaseSeconds()) : InboxElection.alone();
        this.inboxLocks = inboxes.isElected() ? InboxLocks.none()
                : InboxLocks.take(settings.uploadInbox().toAbsolutePath().normalize(),
                        settings.requestInbox().toAbsolutePath().normalize());
        try {
            this.demo = settings.serverNames().isEmpty()
                    ? DemoFtpServer.start(settings.get("ferry.demo.host"), settings.getInt("ferry.demo.port", 2121),
                            settings.demoRoot())
                    : null;
        } catch (RuntimeException e) {
            inboxLocks.close();
            throw e;
        }
        try {
            ServerProfiles profiles = profiles();
            String url = settings.get("ferry.ledger.url", null);
            this.ledger = url == null ? JdbcLedger.h2(settings.dataDir())
                    : JdbcLedger.open(Leases.withSessionTimeouts(url, settings.leaseSeconds()),
                            settings.get("ferry.ledger.user", ""), ledgerPassword());
            ledger.leases().configure(settings.nodeId(), settings.leaseSeconds());
            ledger.leases().sharedStorage(settings.sharedStorage());
            if (url != null) {
                // Before anything is claimed: a twin would take this node's running transfers as its own at start.
                try {
                    ledger.leases().requireNoLiveTwin();
                } catch (RuntimeException e) {
                    ledger.close();
                    throw e;
                }
            }
            this.engine = new TransferEngine(ledger, profiles,
                    TransferOptions.none().withFileExist(settings.fileExist()), Duration.ofSeconds(2));
            // One connection cap per server for every node on a shared ledger; this process's own with H2.
            this.permits = ConnectionSlots.forLedger(ledger);
            engine.pool().permits(permits);
            engine.segmentsMax(settings.getInt("ferry.segments.max", 16));
            engine.addListener(new LoggingListener());
            this.segmentPool = segmentPool(settings.getInt("ferry.segment-threads", 16));
            this.component = new FerryComponent(engine);
            component.setDefaultServer(defaultServer(profiles));
            component.setDownloadDir(settings.downloadDir().toString());
            component.setFollowLinks(settings.inboxFollowLinks());
            component.setRemoteDirs(settings.remoteDirs());
            this.main = new Main();
            // Another process is this node now (Leases.renew): it has given up its transfers; it stops as on SIGTERM.
            ledger.leases().whenDisplaced(() -> {
                component.serviceStopping();
                main.completed();
            });
            if (component.getDefaultServer() != null) {
                settings.initialProperties().putIfAbsent("ferry.default-server", component.getDefaultServer());
            }
            // The very property sets FerrySettings resolves: camel-main's context then resolves every {{ferry.<key>}}
            // as this class did, environment and -D included.
            main.setInitialProperties(settings.initialProperties());
            main.setOverrideProperties(settings.overrideProperties());
            // Nor a classpath application.properties besides them, which FerrySettings would not have read.
            main.setDefaultPropertyPlaceholderLocation("false");
            main.bind("ferry", component);
            main.bind("ferryEngine", engine);
            main.bind("ferryLedger", new DoneSegments(ledger));
            main.bind("ferrySegmentPool", segmentPool);
            main.bind("ferrySegmentAggregation", new SegmentAggregation());
            main.bind("ferryInboxPolicy", inboxes.policy());
            // The upload inbox's in-progress files, shared by its consumer and its filter (NotBeingWritten): a drop
            // already being sent is not looked at again at every poll.
            org.apache.camel.spi.IdempotentRepository uploadsInProgress = org.apache.camel.support.processor
                    .idempotent.MemoryIdempotentRepository.memoryIdempotentRepository(50_000);
            main.bind("ferryUploadInProgress", uploadsInProgress);
            main.bind("ferryUploadFilter", new dev.ferry.camel.NotBeingWritten(uploadsInProgress));
            // A drop or folder whose run ends while the service stops did not fail: it runs again at the next start.
            java.util.function.BooleanSupplier stoppingNow = () -> component.isServiceStopping()
                    || stopping(main.getCamelContext());
            // Every drop answered: cancelled drops kept aside, odd ones (folders, undecodable names) to .failed/; one
            // the stop interrupted stays in its inbox (DropOutcomes.failedTarget), and the consumer's log is quiet
            // about it (the inbox routes' onCompletionExceptionHandler).
            dev.ferry.inbox.DropOutcomes drops = new dev.ferry.inbox.DropOutcomes(settings.uploadInbox())
                    .stoppingWhen(stoppingNow);
            main.bind("ferryDrops", drops);
            main.bind("ferryDropRollbacks", drops.rollbackLog());
            main.bind("ferryOddDrops", new dev.ferry.inbox.OddDrops(settings.uploadInbox(),
                    Duration.ofMillis(settings.getInt("ferry.inbox.read-lock-min-age", 2000)),
                    java.time.Clock.systemUTC()).uploadingFolders(new dev.ferry.tree.InboxTrees(engine,
                    component.getDefaultServer(), settings.remoteDirs().get(component.getDefaultServer()),
                    dev.ferry.tree.TreeLimits.DEFAULTS))
                    .stoppingWhen(stoppingNow));
            main.bind("ferryEventLog", new EventLogRoll(settings.dataDir().resolve("events.jsonl")));
            main.bind("ferryOddRequests", dev.ferry.inbox.OddDrops.ofRequests(settings.requestInbox(),
                    Duration.ofMillis(settings.getInt("ferry.inbox.read-lock-min-age", 2000)),
                    java.time.Clock.systemUTC()));
            this.trees = new dev.ferry.tree.TreeRequests(engine, component::getDefaultServer,
                    settings.downloadDir(), dev.ferry.tree.TreeLimits.DEFAULTS)
                    .stoppingWhen(stoppingNow)
                    .remoteDirsFrom(server -> component.getRemoteDirs().getOrDefault(server, "/"));
            main.bind("ferryTrees", trees);
            bindBroker();
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport m) {
                    settings.readFrom(m.getCamelContext());
                }

                @Override
                public void afterConfigure(BaseMainSupport m) {
                    requireCoreRoutes(m.getCamelContext());
                    inboxes.joinIn(m.getCamelContext(), ledger);
                    installWeb(m.getCamelContext());
                }

                @Override
                public void afterStart(BaseMainSupport m) {
                    onStarted();
                }

                @Override
                public void beforeStop(BaseMainSupport m) {
                    component.serviceStopping();
                }

                @Override
                public void afterStop(BaseMainSupport m) {
                    release();
                }
            });
        } catch (RuntimeException e) {
            if (demo != null) {
                demo.close();
            }
            inboxLocks.close();
            throw e;
        }
    }

    /** Where the service sends work, and the route files that take it: no route, and the work would wait unseen. */
    private static final java.util.Map<String, String> CORE_ROUTES = java.util.Map.of(
            "direct:ferry-pipeline", "routes/segment-pipeline.yaml",
            "seda:ferry-transfers", "routes/segment-pipeline.yaml",
            "seda:ferry-trees", "routes/download-requests.yaml");

    /**
     * Refuses to start when a route the service sends work to is missing (a route file removed or its route renamed):
     * a request would be accepted (202, the message acknowledged) and then never run, the health check saying UP.
     */
    private static void requireCoreRoutes(CamelContext context) {
        java.util.Set<String> inputs = new java.util.HashSet<>();
        for (org.apache.camel.model.RouteDefinition r : ((org.apache.camel.model.ModelCamelContext) context)
                .getRouteDefinitions()) {
            // A route that never starts takes nothing either (autoStartup: false in its file).
            String auto = r.getAutoStartup();
            if (auto != null && "false".equalsIgnoreCase(context.resolvePropertyPlaceholders(auto).trim())) {
                continue;
            }
            String uri = context.resolvePropertyPlaceholders(r.getInput().getEndpointUri());
            inputs.add(uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri);
        }
        java.util.List<String> missing = CORE_ROUTES.keySet().stream().sorted().filter(u -> !inputs.contains(u)
                && !inputs.contains(u.replace(":", "://"))).map(u -> u + " (" + CORE_ROUTES.get(u) + ")").toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no route takes " + String.join(", ", missing) + ": the service sends"
                    + " work there, which would wait for ever; put the route file back (it ships with Ferry), or add a"
                    + " route from that endpoint, and let it start (no autoStartup: false)");
        }
    }

    /** The jms component on RabbitMQ when ferry.broker.* is configured; the request queue's room either way. */
    private void bindBroker() {
        Optional<BrokerSettings> broker = BrokerSettings.from(settings::get,
                Secret.of(settings.secret(BrokerSettings.PASSWORD_KEY)));
        broker.ifPresent(b -> {
            main.bind("jms", BrokerComponent.component(b, java.util.List.of(settings.get("ferry.queue.requests"),
                    settings.get("ferry.queue.dead-letter"))));
            LOG.info("jms: endpoints use {}", b);
        });
        main.bind("ferryPipelineRoom", broker.map(b -> new PipelineRoom("ferry-transfers", "seda:ferry-transfers",
                b.prefetch(settings.getInt("ferry.transfer-consumers", 4)))).orElseGet(PipelineRoom::unlimited));
    }

    /** Starts the service and returns once its routes run and recovery has been sent. */
    public static FerryService start(FerrySettings settings, PrintStream banner) throws Exception {
        FerryService service = new FerryService(settings, banner);
        try {
            service.main.start();
        } catch (Exception | Error e) {
            // Refused at start (a route missing, a port taken): its ledger, locks and demo server are let go.
            service.close();
            throw e;
        }
        // camel-main calls its listeners' afterStart only from run(); here the routes run once start() returns.
        service.onStarted();
        return service;
    }

    /** Runs the service in this thread until the JVM is asked to stop (Ctrl-C, SIGTERM). */
    public static void run(FerrySettings settings, PrintStream banner) throws Exception {
        FerryService service = new FerryService(settings, banner);
        // SIGTERM: camel-main's own hook stops the routes; this one then closes the ledger and the demo server,
        // before the JVM halts (hooks run at the same time, so it waits for Camel first).
        // Read now: once Camel stopped, its properties cannot be read (the hook failed with an NPE when the start did).
        long stopSeconds = service.settings.getInt("camel.main.shutdown-timeout", 15) + 5L;
        String nodeId = service.settings.nodeId();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.component.serviceStopping();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(stopSeconds);
            CamelContext context = service.main.getCamelContext();
            while (context != null && !context.isStopped() && System.nanoTime() < until) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    break;
                }
            }
            service.release();
        }, "ferry-shutdown"));
        try {
            service.main.run();
        } finally {
            service.release();
        }
        if (service.ledger.leases().displaced()) {
            throw new Displaced("another process runs as node " + nodeId + " now (see the log);"
                    + " give each node its own ferry.node-id and ferry.data-dir");
        }
    }

    /** The service stopped because another process took its node over. */
    public static final class Displaced extends Exception {
        Displaced(String message) {
            super(message);
        }
    }

    /** The status page, JSON API, health and metrics (dev.ferry.web) on ferry.http.host:ferry.http.port. */
    private void installWeb(CamelContext context) {
        try {
            web = FerryWeb.on(context, engine, webSettings)
                    .requestReader(json -> component.resolveRequestFile(json, "POST /api/transfers"))
                    .submitter(new dev.ferry.web.Submitter() {
                        // Through the route pipeline, like queued and recovered transfers; never waiting for room.
                        private final QueueRoom room = new QueueRoom(context, TRANSFERS_ENDPOINT);

                        @Override
                        public void submit(dev.ferry.plan.TransferRequest request) {
                            if (webTemplate == null) {
                                webTemplate = context.createProducerTemplate();
                            }
                            room.offer(webTemplate, request);
                        }

                        @Override
                        public boolean hasRoom() {
                            return room.hasRoom();
                        }
                    })
                    .trees(new dev.ferry.web.TreeSubmitter() {
                        @Override
                        public boolean isTree(String json) {
                            return trees.isTree(json);
                        }

                        private final QueueRoom room = new QueueRoom(context, TREES_ENDPOINT);

                        @Override
                        public boolean hasRoom() {
                            return room.hasRoom();
                        }

                        @Override
                        public String submit(String json) {
                            // Accepted durably before the 202, then run as a queued folder is (ferry-trees route).
                            String id = trees.accept(json, "POST /api/transfers");
                            if (webTemplate == null) {
                                webTemplate = context.createProducerTemplate();
                            }
                            webTemplate.sendBody(TREES_ENDPOINT, id);
                            return id;
                        }
                    })
                    .install();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the status page and API: " + e.getMessage(), e);
        }
    }

    private static boolean stopping(CamelContext context) {
        return context != null && (context.isStopping() || context.isStopped());
    }

    /** The status page's address, or null when ferry.http.enabled = false. */
    public String webUrl() {
        return web == null || !webSettings.enabled() ? null : web.url();
    }

    private void onStarted() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        CamelContext context = main.getCamelContext();
        ProducerTemplate template = context.createProducerTemplate();
        events = new EventPublisher(template, settings.get("ferry.events.endpoint"));
        engine.addListener(events);
        banner(banner);
        // A transfer whose server cannot be reached waits off the queue's consumers and comes back through it.
        QueueRoom transfersRoom = new QueueRoom(context, TRANSFERS_ENDPOINT);
        engine.serverWaits().resendWith(r -> {
            if (stopping(context)) {
                return false; // stays unfinished in the ledger: the next start resumes it
            }
            try {
                transfersRoom.offer(template, r);
                return true;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return false;
            }
        });
        recovered = Recovery.run(engine, component, trees, settings, template, TRANSFERS_ENDPOINT, inboxes);
        if (recovered > 0) {
            LOG.info("resuming {} interrupted transfer(s)", recovered);
        }
        // A folder whose run could not start (its tree ran already, here or on another node) waits and comes back.
        trees.runAgainWith(tree -> template.sendBody(TREES_ENDPOINT, tree));
        // Folders this node accepted from the queue or the API whose tree did not run to its end: the message was
        // acknowledged (or 202 answered) already, so the ledger's copy is the only one.
        for (String tree : trees.pending()) {
            LOG.info("tree {} was accepted and did not end; running it again", tree);
            template.sendBody(TREES_ENDPOINT, tree);
        }
        // Then, every lease / 3: the work of nodes that stopped for good, their tree orders included.
        claimLoop = Recovery.keepClaiming(engine, component, trees, settings, template, TRANSFERS_ENDPOINT,
                TREES_ENDPOINT, inboxes);
        ledgerUpkeep = LedgerUpkeep.start(ledger, settings.getInt("ferry.ledger.keep-days", 30));
        if (!inboxes.isElected()) {
            inboxWatch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    dev.ferry.DaemonThreads.named("ferry-inbox-lock"));
            inboxWatch.scheduleWithFixedDelay(() -> {
                String lost = inboxLocks.recheck();
                if (lost != null) {
                    LOG.error(lost);
                    stopInboxRoutes(context);
                    inboxWatch.shutdown();
                }
            }, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The routes that take the inboxes: another service holds them now (see {@link InboxLocks#recheck}). */
    private static void stopInboxRoutes(CamelContext context) {
        for (String id : java.util.List.of("ferry-upload-drops", "ferry-odd-drops", "ferry-request-files",
                "ferry-odd-requests")) {
            try {
                if (context.getRoute(id) != null) {
                    context.getRouteController().stopRoute(id);
                }
            } catch (Exception e) {
                LOG.warn("the inbox route {} could not be stopped: {}", id, e.toString());
            }
        }
    }

    private void banner(PrintStream out) {
        if (out == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append("Ferry is running.\n");
        if (demo != null) {
            b.append("  No server is configured: a demo FTP server runs on ").append(demo.host()).append(':')
                    .append(demo.port()).append(" (user demo, password made up for this run), profile 'demo'.\n");
        } else {
            b.append("  Servers: ").append(settings.serverNames()).append(", default '")
                    .append(component.getDefaultServer()).append("'.\n");
        }
        b.append("  Upload:   drop files into     ").append(settings.uploadInbox()).append('\n');
        b.append("  Download: drop a JSON request into ").append(settings.requestInbox())
                .append("  e.g. {\"server\":\"").append(component.getDefaultServer())
                .append("\",\"remotePath\":\"/a.bin\",\"localPath\":\"a.bin\"}\n");
        b.append("            or send it to        ").append(settings.get("ferry.queue.requests")).append('\n');
        b.append("  Downloads appear in           ").append(settings.downloadDir()).append('\n');
        if (demo != null) {
            b.append("  Uploaded files land in        ").append(demo.root()).append('\n');
        }
        b.append("  Done and failed drops move to .done/ and .failed/ (with <name>.error.txt) in each inbox.\n");
        if (webUrl() != null) {
            b.append("  Status page:  ").append(webUrl()).append("  (JSON API under /api/transfers, /observe/health,"
                    + " /observe/metrics").append(webSettings.token() == null ? ")" : "; token required)").append('\n');
        }
        b.append("  Events (JSON): ").append(settings.get("ferry.events.endpoint")).append("; configuration: ")
                .append(settings.configDir()).append('\n');
        out.print(b);
        out.flush();
    }

    private ServerProfiles profiles() {
        ServerProfiles profiles = new ServerProfiles();
        if (demo != null) {
            profiles.add(ServerProfile.builder("demo").host(demo.host()).port(demo.port()).user(DemoFtpServer.USER)
                    .password(demo.password()).connectionLimit(8).build());
        }
        for (String name : settings.serverNames()) {
            profiles.add(settings.server(name));
        }
        return profiles;
    }

    private String defaultServer(ServerProfiles profiles) {
        String named = settings.get("ferry.default-server", null);
        if (named != null) {
            profiles.get(named, "ferry.default-server");
            return named;
        }
        if (demo != null) {
            return "demo";
        }
        return settings.serverNames().size() == 1 ? settings.serverNames().first() : null;
    }

    private String ledgerPassword() {
        String v = settings.secret("ferry.ledger.password");
        return v == null ? "" : v;
    }

    private void createDirectories() {
        for (Path p : new Path[] {settings.dataDir(), settings.uploadInbox(), settings.requestInbox(),
                settings.downloadDir()}) {
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + p, e);
            }
        }
    }

    private static ExecutorService segmentPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ferry-split-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public TransferEngine engine() {
        return engine;
    }

    public JdbcLedger ledger() {
        return ledger;
    }

    public FerrySettings settings() {
        return settings;
    }

    /** How many interrupted transfers start-up sent into the pipeline (-1 before start). */
    public int recovered() {
        return recovered;
    }

    @Override
    public void close() {
        component.serviceStopping();
        try {
            main.stop();
        } catch (Exception e) {
            LOG.warn("stopping Camel: {}", e.toString());
        }
        release();
    }

    /**
     * Synchronized: on SIGTERM the main thread (camel-main's run returned) and the shutdown hook both get here, and
     * the JVM halts once its hooks are done, so the hook must wait for the main thread's release to finish — else the
     * ledger's close and the "Ferry stopped" line are cut off.
     */
    private synchronized void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        // Before the rest: none of the transfers waiting for their server is sent into a queue that is going away.
        engine.serverWaits().close();
        if (claimLoop != null) {
            claimLoop.shutdownNow();
        }
        if (ledgerUpkeep != null) {
            ledgerUpkeep.shutdownNow();
        }
        if (inboxWatch != null) {
            inboxWatch.shutdownNow();
        }
        trees.close();
        if (events != null) {
            events.close();
        }
        if (web != null) {
            web.close();
        }
        permits.stopping();
        if (engine.active().isEmpty()) {
            engine.close();
            segmentPool.shutdown();
        } else {
            // No cancel: a cancelled transfer would be recorded as such; left ACTIVE, it resumes at the next start.
            LOG.info("{} transfer(s) in flight stay in the ledger and resume at the next start", engine.active().size());
        }
        permits.close();
        ledger.close();
        if (demo != null) {
            demo.close();
        }
        inboxLocks.close();
        LOG.info("Ferry stopped");
    }
}
