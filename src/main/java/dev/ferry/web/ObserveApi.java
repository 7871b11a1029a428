package dev.ferry.web;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.ClusterView;
import dev.ferry.ledger.LedgerException;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.transfer.TransferEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /observe/health} (and its {@code /live}, {@code /ready}), {@code /observe/metrics} and {@code /observe/info}. */
final class ObserveApi {
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final TransferEngine engine;
    private final HealthMonitor health;
    private final Metrics metrics;
    private final ClusterView cluster;

    ObserveApi(TransferEngine engine, HealthMonitor health, Metrics metrics) {
        this.engine = engine;
        this.health = health;
        this.metrics = metrics;
        this.cluster = ClusterView.of(engine.ledger());
    }

    /** Everything: 200 when ready, 503 when not (or before the first round of checks). */
    Reply health() {
        boolean live = health.live();
        boolean ready = live && health.ready();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "UP" : "DOWN");
        body.put("live", live ? "UP" : "DOWN");
        body.put("ready", ready ? "UP" : "DOWN");
        Instant round = health.lastRound();
        body.put("checkedAt", round == null ? null : round.toString());
        body.put("intervalSeconds", health.interval().toSeconds());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (HealthMonitor.Check c : health.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.up() ? "UP" : "DOWN");
            m.put("detail", c.detail());
            m.put("checkedAt", c.checkedAt().toString());
            m.put("tookMillis", c.tookMillis());
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

    /**
     * The nodes sharing the ledger, read now (one small query): a node whose heartbeat is older than a lease is
     * {@code DOWN} (its transfers are taken over). Null when the ledger does not answer (its check says why).
     */
    private List<Map<String, Object>> nodes() {
        List<ClusterView.Node> nodes;
        try {
            nodes = cluster.nodes();
        } catch (LedgerException e) {
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

    /** Liveness: the process answers and its checks keep running. */
    Reply live() {
        boolean live = health.live();
        return TransferApi.ok(live ? 200 : 503, Map.of("status", live ? "UP" : "DOWN"));
    }

    /** Readiness: the ledger and every server passed their last check. */
    Reply ready() {
        boolean ready = health.live() && health.ready();
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

    Reply metrics() {
        List<Metrics.ServerGauge> servers = new ArrayList<>();
        List<ServerProfile> profiles = new ArrayList<>(engine.profiles().all());
        profiles.sort(Comparator.comparing(ServerProfile::name));
        for (ServerProfile p : profiles) {
            servers.add(new Metrics.ServerGauge(p, engine.pool().open(p), engine.pool().limit(p)));
        }
        int queued;
        try {
            queued = (int) engine.ledger().unfinished().stream()
                    .filter(r -> r.status() == TransferStatus.ACCEPTED).count();
        } catch (LedgerException e) {
            queued = -1; // left out; ferry_health_up{check="ledger"} tells why
        }
        String text = metrics.render(new Metrics.Gauges(List.copyOf(engine.active()), queued, servers,
                health.checks()))
                + "# HELP ferry_fenced_writes_total Ledger writes refused because this node had lost the transfer's"
                + " lease.\n# TYPE ferry_fenced_writes_total counter\nferry_fenced_writes_total "
                + engine.ledger().leases().fencedOff() + "\n";
        return Reply.text(200, PROMETHEUS, text);
    }
}
