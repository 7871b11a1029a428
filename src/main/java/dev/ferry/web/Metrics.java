package dev.ferry.web;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.plan.Direction;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters since this process started, from the engine's events, rendered in the Prometheus text format (0.0.4).
 * Bytes count as they move, not only when a transfer ends: at each scrape the running transfers' bytes since the
 * last scrape are added, and at each transfer's end what is left, so the counter never counts a byte twice.
 */
final class Metrics implements TransferListener {

    /** One label set: a server and a direction. */
    private record Key(String server, Direction direction) implements Comparable<Key> {
        static Key of(TransferView t) {
            return new Key(t.server(), t.direction());
        }

        @Override
        public int compareTo(Key o) {
            int c = server.compareTo(o.server);
            return c != 0 ? c : direction.compareTo(o.direction);
        }

        String labels() {
            return "server=\"" + escape(server) + "\",direction=\"" + direction.name().toLowerCase(Locale.ROOT) + "\"";
        }
    }

    private final Map<Key, LongAdder> bytes = new ConcurrentHashMap<>();
    private final Map<Key, LongAdder> resumedBytes = new ConcurrentHashMap<>();
    private final Map<Key, LongAdder> retries = new ConcurrentHashMap<>();
    private final Map<Key, LongAdder> published = new ConcurrentHashMap<>();
    private final Map<Key, LongAdder> failed = new ConcurrentHashMap<>();
    private final Map<Key, LongAdder> cancelled = new ConcurrentHashMap<>();
    /** Per running transfer: its bytes already added to {@link #bytes}. */
    private final Map<String, Long> counted = new HashMap<>();

    private static void add(Map<Key, LongAdder> counter, Key key, long n) {
        counter.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    @Override
    public synchronized void transferStart(TransferView t) {
        counted.put(t.id(), 0L);
    }

    @Override
    public void resumed(TransferView t, long bytesAlreadyThere) {
        add(resumedBytes, Key.of(t), bytesAlreadyThere);
    }

    @Override
    public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        add(retries, Key.of(t), 1);
    }

    @Override
    public void transferEnd(TransferView t) {
        finish(t);
        add(published, Key.of(t), 1);
    }

    @Override
    public void transferFailed(TransferView t, String reason) {
        finish(t);
        add(failed, Key.of(t), 1);
    }

    @Override
    public void transferCancelled(TransferView t) {
        finish(t);
        add(cancelled, Key.of(t), 1);
    }

    private synchronized void finish(TransferView t) {
        account(t);
        counted.remove(t.id());
    }

    /** Adds what the transfer moved since it was last counted. */
    private synchronized void account(TransferView t) {
        Long before = counted.get(t.id());
        if (before == null) {
            return;
        }
        long now = t.bytesMoved();
        if (now > before) {
            add(bytes, Key.of(t), now - before);
            counted.put(t.id(), now);
        }
    }

    /** What the page and the health monitor know at the time of a scrape. */
    record Gauges(Collection<? extends TransferView> active, int queued, List<ServerGauge> servers,
                  List<HealthMonitor.Check> checks) {
    }

    record ServerGauge(ServerProfile profile, int open, int limit) {
    }

    String render(Gauges g) {
        g.active().forEach(this::account);
        Map<Key, LongAdder> zero = new TreeMap<>();
        for (ServerGauge s : g.servers()) {
            for (Direction d : Direction.values()) {
                zero.put(new Key(s.profile().name(), d), new LongAdder());
            }
        }
        StringBuilder out = new StringBuilder(4096);
        counter(out, "ferry_transferred_bytes_total", "Bytes moved over the network, by server and direction.",
                bytes, zero);
        counter(out, "ferry_resumed_bytes_total", "Bytes already in place when a transfer resumed: not moved again.",
                resumedBytes, zero);
        counter(out, "ferry_retries_total", "Segment retries after a transient error.", retries, zero);
        header(out, "ferry_transfers_total", "counter", "Transfers that ended, by outcome.");
        outcome(out, "published", published, zero);
        outcome(out, "failed", failed, zero);
        outcome(out, "cancelled", cancelled, zero);

        trees(out, dev.ferry.tree.TreeCounters.snapshot());

        int segments = 0;
        for (TransferView t : g.active()) {
            for (TransferView.SegmentView s : t.segments()) {
                segments += s.done() ? 0 : 1;
            }
        }
        gauge(out, "ferry_active_transfers", "Transfers moving now in this process.", g.active().size());
        gauge(out, "ferry_active_segments", "Segments of the running transfers not yet done.", segments);
        if (g.queued() >= 0) {
            gauge(out, "ferry_queued_transfers", "Transfers accepted and waiting to start.", g.queued());
        }
        header(out, "ferry_server_connections", "gauge", "FTP connections open to the server now, busy or idle.");
        for (ServerGauge s : g.servers()) {
            out.append("ferry_server_connections{server=\"").append(escape(s.profile().name())).append("\"} ")
                    .append(s.open()).append('\n');
        }
        header(out, "ferry_server_connection_limit", "gauge", "Connections allowed to the server now.");
        for (ServerGauge s : g.servers()) {
            out.append("ferry_server_connection_limit{server=\"").append(escape(s.profile().name())).append("\"} ")
                    .append(s.limit()).append('\n');
        }
        header(out, "ferry_health_up", "gauge", "1 when the last background check passed, 0 when it failed.");
        for (HealthMonitor.Check c : g.checks()) {
            out.append("ferry_health_up{check=\"").append(escape(c.name())).append("\"} ").append(c.up() ? 1 : 0)
                    .append('\n');
        }
        header(out, "ferry_health_checked_timestamp_seconds", "gauge", "When the check last ran (Unix time).");
        for (HealthMonitor.Check c : g.checks()) {
            out.append("ferry_health_checked_timestamp_seconds{check=\"").append(escape(c.name())).append("\"} ")
                    .append(c.checkedAt().getEpochSecond()).append('\n');
        }
        return out.toString();
    }

    /** A folder's files that never became transfers (skipped, refused) are counted only here. */
    private static void trees(StringBuilder out, dev.ferry.tree.TreeCounters.Snapshot t) {
        header(out, "ferry_trees_total", "counter", "Folder transfers (get -r, put -r, folder requests and drops)"
                + " that ended, by outcome.");
        out.append("ferry_trees_total{outcome=\"complete\"} ").append(t.trees() - t.incomplete()).append('\n');
        out.append("ferry_trees_total{outcome=\"incomplete\"} ").append(t.incomplete()).append('\n');
        header(out, "ferry_tree_files_total", "counter", "Files of ended folder transfers, by outcome (skipped: already"
                + " identical on the other side).");
        out.append("ferry_tree_files_total{outcome=\"transferred\"} ").append(t.transferred()).append('\n');
        out.append("ferry_tree_files_total{outcome=\"skipped\"} ").append(t.skipped()).append('\n');
        out.append("ferry_tree_files_total{outcome=\"failed\"} ").append(t.failed()).append('\n');
        out.append("ferry_tree_files_total{outcome=\"refused\"} ").append(t.refused()).append('\n');
        header(out, "ferry_tree_transferred_bytes_total", "counter", "Bytes moved by ended folder transfers.");
        out.append("ferry_tree_transferred_bytes_total ").append(t.bytes()).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, Map<Key, LongAdder> values,
                                Map<Key, LongAdder> zero) {
        header(out, name, "counter", help);
        series(out, name, values, zero, "");
    }

    private static void outcome(StringBuilder out, String outcome, Map<Key, LongAdder> values,
                                Map<Key, LongAdder> zero) {
        series(out, "ferry_transfers_total", values, zero, ",outcome=\"" + outcome + "\"");
    }

    private static void series(StringBuilder out, String name, Map<Key, LongAdder> values, Map<Key, LongAdder> zero,
                               String extraLabels) {
        Map<Key, LongAdder> all = new TreeMap<>(zero);
        all.putAll(values);
        all.forEach((k, v) -> out.append(name).append('{').append(k.labels()).append(extraLabels).append("} ")
                .append(v.sum()).append('\n'));
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Label values: backslash, double quote and line feed escaped, as the text format requires. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
