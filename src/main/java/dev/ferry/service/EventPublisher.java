package dev.ferry.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress events as JSON, one object per event, sent to a Camel endpoint ({@code ferry.events.endpoint}, default
 * {@code seda:ferry-events}) that routes may take anywhere. Sending happens on a thread of its own with a bounded
 * queue: a transfer thread never waits for an event's endpoint, and a full queue drops events (counted, logged once
 * in a while) rather than slowing transfers.
 *
 * <pre>{"event":"progress","id":"u-…","direction":"UPLOAD","server":"demo","remotePath":"/a.bin",
 *  "localPath":"/…/a.bin","size":104857600,"bytesDone":52428800,"percent":50,"rate":1.2E7,"etaSeconds":4,
 *  "time":"2025-…Z"}</pre>
 */
public final class EventPublisher implements TransferListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProducerTemplate template;
    private final String endpoint;
    private final ThreadPoolExecutor sender;
    private final AtomicLong dropped = new AtomicLong();

    public EventPublisher(ProducerTemplate template, String endpoint) {
        this.template = template;
        this.endpoint = endpoint;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "ferry-events");
            t.setDaemon(true);
            return t;
        }, (r, executor) -> {
            if (executor.isShutdown()) {
                return; // the service stops: a transfer left running reports into nothing, which is no fault
            }
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warn("progress events are arriving faster than {} takes them; {} dropped so far", endpoint,
                        dropped.get());
            }
        });
    }

    @Override
    public void treeStarted(dev.ferry.progress.TreeView tree) {
        send("treeStarted", tree.fields(), null);
    }

    @Override
    public void treeFinished(dev.ferry.progress.TreeView tree, String reason) {
        send("treeFinished", tree.fields(), reason == null ? null : Map.of("reason", reason));
    }

    @Override
    public void accepted(TransferView t) {
        send("accepted", t, null);
    }

    @Override
    public void transferStart(TransferView t) {
        send("started", t, Map.of("segments", t.segments().size()));
    }

    @Override
    public void resumed(TransferView t, long bytesAlreadyThere) {
        send("resumed", t, Map.of("bytesAlreadyThere", bytesAlreadyThere));
    }

    @Override
    public void restarted(TransferView t, String why) {
        send("restarted", t, Map.of("reason", why));
    }

    @Override
    public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
        send("retried", t, Map.of("segment", segment, "reason", String.valueOf(cause.getMessage()),
                "delayMillis", delay.toMillis()));
    }

    @Override
    public void progress(TransferView t) {
        send("progress", t, null);
    }

    @Override
    public void verified(TransferView t, String how) {
        send("verified", t, Map.of("verification", how));
    }

    @Override
    public void published(TransferView t, String finalName) {
        send("published", t, Map.of("published", finalName, "bytesMoved", t.bytesMoved(), "retries", t.retries()));
    }

    @Override
    public void transferFailed(TransferView t, String reason) {
        send("failed", t, Map.of("reason", reason));
    }

    @Override
    public void transferCancelled(TransferView t) {
        send("cancelled", t, null);
    }

    @Override
    public void transferStopped(TransferView t, String why) {
        send("stopped", t, Map.of("reason", why));
    }

    private void send(String event, TransferView t, Map<String, Object> extra) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", t.id());
        e.put("direction", t.direction());
        e.put("server", t.server());
        e.put("remotePath", t.remotePath());
        e.put("localPath", t.localPath());
        if (t.tree() != null) {
            e.put("tree", t.tree()); // a file of a tree: the tree's id (a tree's own events have its fields there)
        }
        e.put("size", t.size());
        e.put("bytesDone", t.bytesDone());
        e.put("percent", t.percent());
        e.put("rate", Math.round(t.rate()));
        e.put("etaSeconds", t.etaSeconds());
        send(event, e, extra);
    }

    /** A tree's events carry its fields under "tree": its files' own events have the transfer's at the top. */
    private void send(String event, Map<String, Object> fields, Map<String, Object> extra) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", event);
        if (event.startsWith("tree")) {
            e.put("id", fields.get("id"));
            e.put("tree", fields);
        } else {
            e.putAll(fields);
        }
        if (extra != null) {
            e.putAll(extra);
        }
        e.put("time", Instant.now().toString());
        String json;
        try {
            json = JSON.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            LOG.warn("cannot write a {} event as JSON: {}", event, ex.getOriginalMessage());
            return;
        }
        sender.execute(() -> {
            try {
                template.sendBody(endpoint, json);
            } catch (RuntimeException ex) {
                LOG.debug("event not delivered to {}: {}", endpoint, ex.toString());
            }
        });
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
