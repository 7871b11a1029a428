package dev.ferry.web;

import dev.ferry.ledger.ClusterView;
import dev.ferry.ledger.LedgerException;
import dev.ferry.transfer.TransferEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/** {@code /observe/health} (and its {@code /live}, {@code /ready}), {@code /observe/metrics} and {@code /observe/info}. */
final class ObserveApi {
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    /** Every result (Camel's other levels keep only the DOWN ones, or one when all are UP); the answer filters. */
    private static final String FULL = "full";
    /** A probe's answer must not wait for a ledger that is gone (the pool waits 30 s for a connection). */
    private static final java.time.Duration NODES_WAIT = java.time.Duration.ofSeconds(2);

    private final TransferEngine engine;
    private final HealthMonitor health;
    private final Metrics metrics;
    private final ClusterView cluster;
    private final CamelContext context;

    ObserveApi(CamelContext context, TransferEngine engine, HealthMonitor health, Metrics metrics) {
        this.context = context;
        this.engine = engine;
        this.health = health;
        this.metrics = metrics;
        this.cluster = ClusterView.of(engine.ledger());
    }

    /**
     * Camel's health-check registry, Ferry's checks in it ({@link FerryHealthCheck}): 200 when every readiness
     * check is UP and every liveness check is not DOWN, 503 otherwise. {@code checks} lists Ferry's checks always
     * and Camel's own (context, routes, consumers) when not UP, or all of them with {@code ?exposureLevel=full}, as
     * Camel's management console does; each with its group and kind.
     */
    Reply health(String exposureLevel) {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(context, FULL);
        List<HealthCheck.Result> readiness = new ArrayList<>();
        List<HealthCheck.Result> liveness = new ArrayList<>();
        for (HealthCheck.Result r : results) {
            if (r.getCheck().isReadiness()) {
                readiness.add(r);
            }
            if (r.getCheck().isLiveness()) {
                liveness.add(r);
            }
        }
        boolean live = HealthCheckHelper.isResultsUp(liveness, false);
        boolean ready = live && HealthCheckHelper.isResultsUp(readiness, true);
        boolean full = "full".equalsIgnoreCase(exposureLevel);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "UP" : "DOWN");
        body.put("live", live ? "UP" : "DOWN");
        body.put("ready", ready ? "UP" : "DOWN");
        Instant round = health.lastRound();
        body.put("checkedAt", round == null ? null : round.toString());
        body.put("intervalSeconds", health.interval().toSeconds());
        List<Map<String, Object>> checks = new ArrayList<>();
        List<HealthCheck.Result> sorted = new ArrayList<>(results);
        // Ferry's first (the ledger, then the servers by name), then Camel's by id.
        sorted.sort(Comparator.comparing((HealthCheck.Result r) -> !FerryHealthCheck.GROUP.equals(
                r.getCheck().getGroup())).thenComparing(r -> order(r.getCheck().getId())));
        for (HealthCheck.Result r : sorted) {
            HealthCheck c = r.getCheck();
            boolean ferry = FerryHealthCheck.GROUP.equals(c.getGroup());
            if (!full && !ferry && r.getState() == HealthCheck.State.UP) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.getId());
            m.put("status", r.getState().name());
            m.put("group", c.getGroup());
            m.put("kind", c.isReadiness() && c.isLiveness() ? "ALL" : c.isReadiness() ? "READINESS" : "LIVENESS");
            String detail = r.getMessage().orElse(null);
            if (detail == null && r.getError().isPresent()) {
                detail = LastErrors.words(r.getError().get());
            }
            m.put("detail", detail);
            Object checkedAt = r.getDetails().get(HealthMonitor.DETAIL_CHECKED_AT);
            if (checkedAt != null) {
                m.put("checkedAt", checkedAt);
            }
            Object took = r.getDetails().get(HealthMonitor.DETAIL_TOOK_MILLIS);
            if (took != null) {
                m.put("tookMillis", took);
            }
            checks.add(m);
        }
        body.put("checks", checks);
        body.put("node", cluster.self());
        body.put("nodes", nodes());
        if (round == null) {
            body.put("detail", "the first round of checks has not finished yet");
        }
        return TransferApi.ok(ready ? 200 : 503, body);
    }

    private static String order(String id) {
        return id.equals("ledger") ? "" : id;
    }

    /**
     * The nodes sharing the ledger, read now (one small query, at most {@link #NODES_WAIT}): a node whose heartbeat
     * is older than a lease is {@code DOWN} (its transfers are taken over). Null when the ledger does not answer in
     * time (its check says why).
     */
    private List<Map<String, Object>> nodes() {
        List<ClusterView.Node> nodes = health.within(NODES_WAIT, cluster::nodes);
        if (nodes == null) {
            return null;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (ClusterView.Node n : nodes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", n.id());
            m.put("host", n.host());
            m.put("status", n.live() ? "UP" : "DOWN");
            m.put("self", n.id().equals(cluster.self()));
            m.put("started", n.started().toString());
            m.put("heartbeat", n.heartbeat().toString());
            m.put("secondsSinceHeartbeat", n.secondsSinceHeartbeat());
            list.add(m);
        }
        return list;
    }

    /** Liveness as Camel defines it: no liveness check in the context's registry is DOWN. */
    Reply live() {
        boolean live = HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeLiveness(context, FULL), false);
        return TransferApi.ok(live ? 200 : 503, Map.of("status", live ? "UP" : "DOWN"));
    }

    /** Readiness as Camel defines it: every readiness check is UP (the ledger and every server among them). */
    Reply ready() {
        boolean ready = HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeLiveness(context, FULL), false)
                && HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeReadiness(context, FULL), true);
        return TransferApi.ok(ready ? 200 : 503, Map.of("status", ready ? "UP" : "DOWN"));
    }

    /** What runs here: the version (as in the jar's manifest), this node's id in a shared ledger, the ledger's kind. */
    Reply info() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "ferry");
        body.put("version", dev.ferry.Version.current());
        body.put("node", engine.ledger().leases().nodeId());
        String ledger;
        try {
            ledger = engine.ledger().kind();
        } catch (LedgerException e) {
            ledger = "unknown: " + e.getMessage(); // /observe/health says more
        }
        body.put("ledger", ledger);
        return TransferApi.ok(200, body);
    }

    /** The Prometheus registry's scrape: Ferry's meters, Camel's route and exchange meters, the JVM and process. */
    Reply metrics() {
        return Reply.text(200, PROMETHEUS, metrics.scrape());
    }
}
