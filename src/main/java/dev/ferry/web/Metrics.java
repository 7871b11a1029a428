package dev.ferry.web;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.tree.TreeCounters;
import dev.ferry.transfer.TransferEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus;
import org.apache.camel.spi.CamelMetricsService;

/**
 * Ferry's meters in the CamelContext's Micrometer Prometheus registry, the one camel-micrometer-prometheus fills
 * with Camel's route and exchange meters and the JVM and process binders; /observe/metrics is that registry's
 * scrape. Names are those Ferry served before as hand-written text ({@code ferry_transferred_bytes_total{server,
 * direction}} …), plus {@code ferry_transfer_duration_seconds} and {@code ferry_transfer_size_bytes} histograms.
 *
 * <p>Bytes count as they move, not only when a transfer ends: at each scrape the running transfers' bytes since the
 * last scrape are added, and at each transfer's end what is left, so the counter never counts a byte twice.
 */
final class Metrics implements TransferListener {
    /** Micrometer's binders for the JVM and the process (camel.metrics.binders names them the same way). */
    static final String BINDERS = "class-loader,file-descriptor,jvm-compilation,jvm-gc,jvm-info,jvm-memory,"
            + "jvm-thread,processor,uptime";
    /** Histogram buckets: from a quick small file to a long big one. */
    private static final Duration[] DURATION_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(10),
        Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(24)};
    private static final double[] SIZE_BUCKETS = {1 << 20, 16 << 20, 128 << 20, 1L << 30, 8L << 30, 64L << 30};

    /**
     * Micrometer's dotted names under this prefix (ferry.transferred.bytes is scraped as ferry_transferred_bytes_total);
     * joined at run time, so no literal looks like a ferry.* configuration key.
     */
    private static final String NAME = "ferry.";

    private final PrometheusMeterRegistry registry;
    /** Per running transfer: its bytes already counted, and when it started here. */
    private final Map<String, long[]> running = new HashMap<>();
    private volatile TransferEngine engine;

    Metrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The context's Prometheus registry: the one bound as {@code metricsRegistry} (by camel-main with
     * {@code camel.metrics.enabled=true}, or by an application), else a new one; and camel-micrometer-prometheus's
     * service on it, with the JVM and process binders, unless the context already has a metrics service.
     */
    static PrometheusMeterRegistry registryOf(CamelContext context) throws Exception {
        Object bound = context.getRegistry().lookupByName(MicrometerConstants.METRICS_REGISTRY_NAME);
        PrometheusMeterRegistry registry;
        if (bound instanceof PrometheusMeterRegistry p) {
            registry = p;
        } else if (bound == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        } else {
            throw new IllegalStateException("the bean " + MicrometerConstants.METRICS_REGISTRY_NAME + " is a "
                    + bound.getClass().getName() + ", not a PrometheusMeterRegistry: /observe/metrics needs one");
        }
        CamelMetricsService service = context.hasService(CamelMetricsService.class);
        if (service == null) {
            MicrometerPrometheus camel = new MicrometerPrometheus();
            camel.setCamelContext(context);
            camel.setBinders(BINDERS);
            // Its exchange event meters name the same meter with and without a routeId (an event on an endpoint
            // outside a route, e.g. the progress events' seda queue), which Prometheus refuses with a WARN at the first
            // such event; the route policy's meters already count every route's exchanges.
            camel.setEnableExchangeEventNotifier(false);
            context.addService(camel);
        } else if (service instanceof MicrometerPrometheus camel && (camel.getBinders() == null
                || camel.getBinders().isBlank())) {
            // camel.metrics.enabled=true alone binds no JVM or process meters; /observe/metrics promises them.
            if (camel.isInit()) {
                bindJvmAndProcess(registry);
            } else {
                camel.setBinders(BINDERS);
            }
        }
        return registry;
    }

    /** The binders {@link #BINDERS} names, for a metrics service camel-main set up and started without them. */
    @SuppressWarnings("resource") // JvmGcMetrics listens to the JVM's GC notifications for the process's life
    private static void bindJvmAndProcess(MeterRegistry registry) {
        if (registry.find("jvm.threads.live").meter() != null) {
            return;
        }
        for (MeterBinder b : new MeterBinder[] {new ClassLoaderMetrics(), new FileDescriptorMetrics(),
            new JvmCompilationMetrics(), new JvmGcMetrics(), new JvmInfoMetrics(), new JvmMemoryMetrics(),
            new JvmThreadMetrics(), new ProcessorMetrics(), new UptimeMetrics()}) {
            b.bindTo(registry);
        }
    }

    /** The meters that read the engine and the health monitor at each scrape. */
    Metrics bind(TransferEngine engine, HealthMonitor health) {
        this.engine = engine;
        Gauge.builder(NAME + "active.transfers", engine, e -> e.active().size()).strongReference(true)
                .description("Transfers moving now in this process.").register(registry);
        Gauge.builder(NAME + "active.segments", engine, Metrics::activeSegments).strongReference(true)
                .description("Segments of the running transfers not yet done.").register(registry);
        Gauge.builder(NAME + "queued.transfers", engine, e -> queued(e, health)).strongReference(true)
                .description("Transfers accepted and waiting to start, those waiting for their server included (NaN while"
                        + " the ledger does not answer).")
                .register(registry);
        Gauge.builder(NAME + "waiting.transfers", engine, e -> e.serverWaits().size()).strongReference(true)
                .description("Transfers waiting aside for a server that cannot be reached.").register(registry);
        FunctionCounter.builder(NAME + "fenced.writes", engine, e -> e.ledger().leases().fencedOff())
                .description("Ledger writes refused because this node had lost the transfer's lease.")
                .register(registry);
        trees();
        for (ServerProfile p : engine.profiles().all()) {
            for (Direction d : Direction.values()) {
                Tags tags = tags(p.name(), d);
                bytes(tags);
                resumed(tags);
                retries(tags);
                duration(tags);
                size(tags);
                for (String outcome : new String[] {"published", "failed", "cancelled", "stopped"}) {
                    ended(tags, outcome);
                }
            }
            Gauge.builder(NAME + "server.connections", engine, e -> e.pool().open(p)).strongReference(true)
                    .tag("server", p.name()).description("FTP connections open to the server now, busy or idle.")
                    .register(registry);
            Gauge.builder(NAME + "server.connection.limit", engine, e -> e.pool().limit(p)).strongReference(true)
                    .tag("server", p.name()).description("Connections allowed to the server now.")
                    .register(registry);
        }
        for (String name : health.names()) {
            Gauge.builder(NAME + "health.up", health, h -> upOf(h.check(name))).strongReference(true)
                    .tag("check", name).description("1 when the last background check passed, 0 when it failed.")
                    .register(registry);
            Gauge.builder(NAME + "health.checked.timestamp.seconds", health, h -> checkedAt(h.check(name)))
                    .strongReference(true).tag("check", name)
                    .description("When the check last ran (Unix time).").register(registry);
        }
        return this;
    }

    /** The Prometheus text (format 0.0.4) of every meter in the registry, Ferry's running bytes counted first. */
    String scrape() {
        TransferEngine e = engine;
        if (e != null) {
            e.active().forEach(this::account);
        }
        return registry.scrape();
    }

    private static Tags tags(String server, Direction d) {
        return Tags.of("server", server, "direction", d.name().toLowerCase(Locale.ROOT));
    }

    private static Tags tags(TransferView t) {
        return tags(t.server(), t.direction());
    }

    private Counter bytes(Tags tags) {
        return Counter.builder(NAME + "transferred.bytes").tags(tags)
                .description("Bytes moved over the network, by server and direction.").register(registry);
    }

    private Counter resumed(Tags tags) {
        return Counter.builder(NAME + "resumed.bytes").tags(tags)
                .description("Bytes already in place when a transfer resumed: not moved again.").register(registry);
    }

    private Counter retries(Tags tags) {
        return Counter.builder(NAME + "retries").tags(tags).description("Segment retries after a transient error.")
                .register(registry);
    }

    private Counter ended(Tags tags, String outcome) {
        return Counter.builder(NAME + "transfers").tags(tags).tag("outcome", outcome)
                .description("Transfers that ended, by outcome.").register(registry);
    }

    private Timer duration(Tags tags) {
        return Timer.builder(NAME + "transfer.duration").tags(tags).serviceLevelObjectives(DURATION_BUCKETS)
                .description("How long published transfers took in this process, from start to publish.")
                .register(registry);
    }

    private DistributionSummary size(Tags tags) {
        return DistributionSummary.builder(NAME + "transfer.size").baseUnit("bytes").tags(tags)
                .serviceLevelObjectives(SIZE_BUCKETS).description("Sizes of the published files.")
                .register(registry);
    }

    @Override
    public synchronized void transferStart(TransferView t) {
        running.put(t.id(), new long[] {0L, System.nanoTime()});
    }

    @Override
    public void resumed(TransferView t, long bytesAlreadyThere) {
        resumed(tags(t)).increment(bytesAlreadyThere);
    }

    @Override
    public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        retries(tags(t)).increment();
    }

    @Override
    public void transferEnd(TransferView t) {
        long[] started = finish(t);
        Tags tags = tags(t);
        ended(tags, "published").increment();
        if (started != null) {
            duration(tags).record(System.nanoTime() - started[1], TimeUnit.NANOSECONDS);
        }
        size(tags).record(t.size());
    }

    @Override
    public void transferFailed(TransferView t, String reason) {
        finish(t);
        ended(tags(t), "failed").increment();
    }

    @Override
    public void transferCancelled(TransferView t) {
        finish(t);
        ended(tags(t), "cancelled").increment();
    }

    @Override
    public void transferStopped(TransferView t, String why) {
        finish(t);
        ended(tags(t), "stopped").increment();
    }

    private synchronized long[] finish(TransferView t) {
        account(t);
        return running.remove(t.id());
    }

    /** Adds what the transfer moved since it was last counted. */
    private synchronized void account(TransferView t) {
        long[] state = running.get(t.id());
        if (state == null) {
            return;
        }
        long now = t.bytesMoved();
        if (now > state[0]) {
            bytes(tags(t)).increment(now - state[0]);
            state[0] = now;
        }
    }

    /** A folder's files that never became transfers (skipped, refused) are counted only here. */
    private void trees() {
        for (String outcome : new String[] {"complete", "incomplete"}) {
            FunctionCounter.builder(NAME + "trees", TreeCounters.class, c -> {
                TreeCounters.Snapshot t = TreeCounters.snapshot();
                return "complete".equals(outcome) ? t.trees() - t.incomplete() : t.incomplete();
            }).tag("outcome", outcome).description("Folder transfers (get -r, put -r, folder requests and drops)"
                    + " that ended, by outcome.").register(registry);
        }
        Map<String, java.util.function.ToLongFunction<TreeCounters.Snapshot>> files = Map.of(
                "transferred", TreeCounters.Snapshot::transferred, "skipped", TreeCounters.Snapshot::skipped,
                "failed", TreeCounters.Snapshot::failed, "refused", TreeCounters.Snapshot::refused);
        files.forEach((outcome, f) -> FunctionCounter.builder(NAME + "tree.files", TreeCounters.class,
                        c -> f.applyAsLong(TreeCounters.snapshot())).tag("outcome", outcome)
                .description("Files of ended folder transfers, by outcome (skipped: already identical on the other"
                        + " side).").register(registry));
        FunctionCounter.builder(NAME + "tree.transferred.bytes", TreeCounters.class,
                        c -> TreeCounters.snapshot().bytes())
                .description("Bytes moved by ended folder transfers.").register(registry);
        Gauge.builder(NAME + "trees.running", TreeCounters.class, c -> TreeCounters.running().trees())
                .description("Folder transfers running in this process.").register(registry);
        Gauge.builder(NAME + "trees.running.files", TreeCounters.class, c -> TreeCounters.running().files())
                .tag("state", "found").description("Files found so far by the folder transfers running in this"
                        + " process (all of them once each walk has ended).").register(registry);
        Gauge.builder(NAME + "trees.running.files", TreeCounters.class, c -> TreeCounters.running().filesDone())
                .tag("state", "done").description("Files of the running folder transfers whose outcome is known.")
                .register(registry);
    }

    private static double activeSegments(TransferEngine e) {
        int segments = 0;
        for (TransferView t : e.active()) {
            for (TransferView.SegmentView s : t.segments()) {
                segments += s.done() ? 0 : 1;
            }
        }
        return segments;
    }

    /** NaN when the ledger does not answer within 2 s: a scrape must not wait for the pool's 30 s. */
    private static double queued(TransferEngine e, HealthMonitor health) {
        Long n = health.within(Duration.ofSeconds(2), () -> e.ledger().count(TransferStatus.ACCEPTED));
        return n == null ? Double.NaN : n; // ferry_health_up{check="ledger"} tells why
    }

    private static double upOf(HealthMonitor.Check c) {
        return c == null ? Double.NaN : c.up() ? 1 : 0;
    }

    private static double checkedAt(HealthMonitor.Check c) {
        return c == null ? Double.NaN : c.checkedAt().getEpochSecond();
    }
}
