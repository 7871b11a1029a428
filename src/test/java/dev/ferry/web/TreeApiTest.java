package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.plan.TransferOptions;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TreeView;
import dev.ferry.service.EventPublisher;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.tree.TreeLimits;
import dev.ferry.tree.TreeResult;
import dev.ferry.tree.TreeRun;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.ConsumerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree is one parent transfer with its own state: seen in /api/transfers (under "trees") and by its id while it
 * runs and after it ended, with its counts; its paired treeStarted / treeFinished events reach listeners and the
 * events endpoint's JSON.
 */
class TreeApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FILES = 12;

    @TempDir
    Path tmp;
    WebFixture w;

    @AfterEach
    void stop() {
        if (w != null) {
            w.close();
        }
    }

    @Test
    void aTreeIsOneParentWithItsCountsInTheApiAndItsEvents() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().ratePerConnection(128 * 1024).start(), s -> s);
        for (int i = 0; i < FILES; i++) {
            w.ftp.write("tree/d" + i % 2 + "/f" + i + ".bin", 100 * 1024 + i, i);
        }
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        w.engine.addListener(new TransferListener() {
            @Override
            public void treeStarted(TreeView t) {
                events.add("started " + t.id() + " " + t.status());
            }

            @Override
            public void treeFinished(TreeView t, String reason) {
                events.add("finished " + t.id() + " " + t.status() + " " + t.files() + "/" + t.transferred());
            }
        });
        EventPublisher publisher = new EventPublisher(w.camel.createProducerTemplate(), "seda:tree-events");
        w.engine.addListener(publisher);
        Path out = tmp.resolve("out");
        TreeRun run = new TreeRun(w.engine, "test", TreeLimits.DEFAULTS);
        CompletableFuture<TreeResult> result = CompletableFuture.supplyAsync(() -> {
            try {
                return run.download("/tree/", out, TransferOptions.none());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        // While it runs: the parent is listed here, with the files found by its walk.
        java.util.concurrent.atomic.AtomicReference<JsonNode> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until(Duration.ofSeconds(30), () -> {
            List<JsonNode> here = running();
            if (here.size() == 1 && here.get(0).get("files").asInt() == FILES) {
                seen.set(here.get(0));
                return true;
            }
            return false;
        }, () -> "trees: " + trees());
        JsonNode live = seen.get();
        String id = live.get("id").asText();
        assertEquals("DOWNLOAD", live.get("direction").asText());
        assertEquals("/tree", live.get("remotePath").asText());
        assertTrue(live.has("etaSeconds") && live.has("bytesDone") && live.has("filesDone"), live.toString());
        assertEquals(w.engine.ledger().leases().nodeId(), live.path("node").asText(), "the node that runs it");

        TreeResult r = result.get();
        assertTrue(r.complete(), r.problems().toString());
        assertEquals(id, r.id());
        for (int i = 0; i < FILES; i++) {
            String rel = "d" + i % 2 + "/f" + i + ".bin";
            assertEquals(Hashes.sha256(w.ftp.file("tree/" + rel)), Hashes.sha256(out.resolve(rel)), rel);
        }

        JsonNode ended = get("/api/transfers/" + id);
        assertEquals("DONE", ended.get("status").asText(), ended.toString());
        assertEquals(FILES, ended.get("files").asInt());
        assertEquals(FILES, ended.get("transferred").asInt());
        assertEquals(FILES, ended.get("filesDone").asInt());
        assertEquals(0, ended.get("failed").asInt());
        assertEquals(w.engine.ledger().leases().nodeId(), ended.path("node").asText(), "the node that ran it");
        assertEquals(r.bytesMoved(), ended.get("bytesMoved").asLong());
        JsonNode listed = trees();
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(id, listed.get(0).get("id").asText());
        assertEquals("DONE", listed.get(0).get("status").asText());

        assertEquals(List.of("started " + id + " LISTING", "finished " + id + " DONE " + FILES + "/" + FILES), events);
        ConsumerTemplate consumer = w.camel.createConsumerTemplate();
        JsonNode first = JSON.readTree(consumer.receiveBody("seda:tree-events", 10_000, String.class));
        JsonNode last = first;
        for (String body; (body = consumer.receiveBody("seda:tree-events", 2_000, String.class)) != null; ) {
            JsonNode e = JSON.readTree(body);
            if (e.get("event").asText().startsWith("tree")) {
                last = e;
            }
        }
        assertEquals("treeStarted", first.get("event").asText(), first.toString());
        assertEquals(id, first.get("tree").get("id").asText());
        assertEquals("treeFinished", last.get("event").asText(), last.toString());
        assertEquals(FILES, last.get("tree").get("transferred").asInt());
        assertEquals("DONE", last.get("tree").get("status").asText());
        publisher.close();
    }

    /**
     * A folder could not be cancelled (404 on its id): a folder started by mistake ran to its end, and a stop only put
     * it off to the next start. Cancelled, it starts no more files, the files under way stop, it ends CANCELLED with
     * what to do; sent again, it resumes, the files it finished skipped.
     */
    @Test
    void aRunningFolderIsCancelledThroughTheApiAndItsRequestSentAgainResumesIt() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().ratePerConnection(64 * 1024).start(), s -> s);
        for (int i = 0; i < FILES; i++) {
            w.ftp.write("big/f" + i + ".bin", 64 * 1024 + i, 40 + i);
        }
        Path out = tmp.resolve("out");
        CompletableFuture<TreeResult> first = CompletableFuture.supplyAsync(() -> {
            try {
                return new TreeRun(w.engine, "test", TreeLimits.DEFAULTS).download("/big/", out, TransferOptions.none());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String[] id = {null};
        Await.until(Duration.ofSeconds(30), () -> {
            List<JsonNode> here = running();
            if (here.size() == 1 && here.get(0).get("transferred").asInt() >= 2) {
                id[0] = here.get(0).get("id").asText();
                return true;
            }
            return false;
        }, () -> "trees: " + trees());
        HttpResponse<String> cancel = w.post("/api/transfers/" + id[0] + "/cancel", null);
        assertEquals(202, cancel.statusCode(), cancel.body());
        java.util.concurrent.ExecutionException stopped = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> first.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(stopped.getCause().getCause() instanceof dev.ferry.tree.TreeCancelledException, stopped.toString());
        assertEquals(List.of(), List.copyOf(w.engine.active()), "files still running after the cancel");
        JsonNode ended = get("/api/transfers/" + id[0]);
        assertEquals("CANCELLED", ended.get("status").asText(), ended.toString());
        assertTrue(ended.get("reason").asText().contains("send its request again"), ended.toString());
        int done = ended.get("transferred").asInt();
        assertTrue(done >= 2 && done < FILES, ended.toString());
        assertEquals(0, ended.get("failed").asInt(), "a cancelled file is no failure: " + ended);
        HttpResponse<String> again = w.post("/api/transfers/" + id[0] + "/cancel", null);
        assertEquals(409, again.statusCode(), again.body());
        HttpResponse<String> resume = w.post("/api/transfers/" + id[0] + "/resume", null);
        assertEquals(409, resume.statusCode(), resume.body());
        assertTrue(resume.body().contains("resumed by sending its request again"), resume.body());

        TreeResult second = new TreeRun(w.engine, "test", TreeLimits.DEFAULTS).download("/big/", out,
                TransferOptions.none());
        assertTrue(second.complete(), second.problems().toString());
        assertTrue(second.skipped() >= done, "the files it finished were sent again: " + second);
        for (int i = 0; i < FILES; i++) {
            assertEquals(Hashes.sha256(w.ftp.file("big/f" + i + ".bin")), Hashes.sha256(out.resolve("f" + i + ".bin")));
        }
    }

    private List<JsonNode> running() {
        List<JsonNode> here = new ArrayList<>();
        trees().forEach(t -> {
            if (t.get("here").asBoolean()) {
                here.add(t);
            }
        });
        return here;
    }

    @Test
    void aTreeACrashLeftRunningShowsAsInterruptedNotRunning() throws Exception {
        // An earlier process of this node began the tree and died: its row still says it lists.
        String id = TreeRun.idOf(dev.ferry.plan.Direction.DOWNLOAD, "test", "/tree", tmp.resolve("out"));
        try (dev.ferry.ledger.JdbcLedger before = dev.ferry.ledger.JdbcLedger.h2(tmp.resolve("ledger"))) {
            before.treeListings().begin(id, dev.ferry.plan.Direction.DOWNLOAD, "test", "/tree",
                    tmp.resolve("out").toString(), false);
        }
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s);
        JsonNode one = get("/api/transfers/" + id);
        assertEquals("INTERRUPTED", one.get("status").asText(), one.toString());
        JsonNode listed = trees();
        assertEquals(1, listed.size(), listed.toString());
        assertEquals("INTERRUPTED", listed.get(0).get("status").asText(), listed.toString());
    }

    private JsonNode trees() {
        try {
            JsonNode trees = get("/api/transfers").get("trees");
            assertNotNull(trees, "no trees in /api/transfers");
            return trees;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = w.get(path);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }
}
