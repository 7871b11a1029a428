package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.RabbitMq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests from the real RabbitMQ (see {@link RabbitMq}): the service consumes jms:queue:&lt;unique&gt; through the
 * ferry.broker.* keys, and refused requests go to &lt;queue&gt;.dlq.
 */
class ServiceBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    private RabbitMq rabbit;
    private String queue;

    @BeforeEach
    void broker() {
        rabbit = RabbitMq.requireReachable();
        queue = rabbit.uniqueQueue("ferry-test-requests");
        // As a node that ran before (or an operator) left it: publishing to a queue nobody declared loses the message.
        rabbit.declare(queue);
    }

    @AfterEach
    void deleteQueues() {
        if (rabbit != null) {
            rabbit.close();
        }
    }

    private ServiceHarness harness(FtpServerFixture ftp, String name) {
        ServiceHarness harness = new ServiceHarness(tmp.resolve(name), ftp);
        harness.properties.put("ferry.broker.host", RabbitMq.HOST);
        harness.properties.put("ferry.broker.port", String.valueOf(RabbitMq.PORT));
        harness.properties.put("ferry.broker.user", RabbitMq.USER);
        harness.secrets.put("ferry.broker.password", RabbitMq.PASSWORD);
        harness.properties.put("ferry.queue.requests", "jms:queue:" + queue);
        harness.properties.put("ferry.queue.dead-letter", "jms:queue:" + queue + ".dlq");
        return harness;
    }

    private static String request(String remote, String local) {
        return "{\"remotePath\":\"/" + remote + "\",\"localPath\":\"" + local + "\",\"options\":{\"segments\":1}}";
    }

    @Test
    void aRequestPublishedWhileTheServiceIsDownIsDoneAfterItStarts() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/while-down.bin", 3L * MIB, 15);
            rabbit.publish(queue, request("q/while-down.bin", "q/while-down.bin"));
            assertEquals(1, rabbit.ready(queue), "the request waits in the broker while no service runs");
            ServiceHarness harness = harness(ftp, "svc");
            // Progress events through a broker topic, by configuration alone: progress.yaml subscribes to it and
            // appends what arrives to events.jsonl.
            harness.properties.put("ferry.events.endpoint", "jms:topic:" + queue + "-events");
            try (FerryService service = harness.start()) {
                Path local = harness.downloads().resolve("q/while-down.bin");
                Await.until(WAIT, () -> Files.exists(local) && service.ledger().unfinished().isEmpty(),
                        () -> "downloads: " + list(harness.downloads()));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
                Path events = harness.data.resolve("events.jsonl");
                Await.until(WAIT, () -> Files.exists(events) && ServiceHarness.read(events).contains(
                        "\"event\":\"published\""), () -> "events: " + (Files.exists(events)
                        ? ServiceHarness.read(events) : "none"));
            }
            assertEquals(0, rabbit.ready(queue), "the message was acknowledged, not returned to the queue");
        }
    }

    @Test
    void aMalformedRequestGoesToTheDeadLetterQueueWithItsReason() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/after.bin", 100_000, 16);
            String malformed = "{\"remotePath\": \"/q/a.bin\", ";
            String unknownField = "{\"remotePath\":\"/q/a.bin\",\"colour\":\"blue\"}";
            rabbit.publish(queue, malformed);
            rabbit.publish(queue, unknownField);
            rabbit.publish(queue, request("q/after.bin", "q/after.bin"));
            ServiceHarness harness = harness(ftp, "svc");
            try (FerryService service = harness.start()) {
                RabbitMq.Received first = rabbit.receive(queue + ".dlq", WAIT);
                RabbitMq.Received second = rabbit.receive(queue + ".dlq", WAIT);
                assertNotNull(first, "nothing in the dead-letter queue");
                assertNotNull(second, "one refused request missing from the dead-letter queue");
                assertEquals(malformed, first.body());
                String reason = first.header("FerryDeadLetterReason");
                assertTrue(reason != null && reason.contains("malformed JSON"), "reason: " + reason);
                assertEquals(unknownField, second.body());
                reason = second.header("FerryDeadLetterReason");
                assertTrue(reason != null && reason.contains("unknown field 'colour'"), "reason: " + reason);
                // The queue goes on after refusals.
                Path local = harness.downloads().resolve("q/after.bin");
                Await.until(WAIT, () -> Files.exists(local), () -> "downloads: " + list(harness.downloads()));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
            }
            assertEquals(0, rabbit.ready(queue), "a refused message came back to the request queue");
            assertEquals(0, rabbit.ready(queue + ".dlq"), "more in the dead-letter queue than the two refusals");
        }
    }

    /**
     * Prefetch 2 and two slow downloads: the service runs A and B, and holds C taken from the broker but not
     * accepted (no room for a third). Killed then, it loses nothing: the broker delivers C again, and all three are
     * done after a restart.
     */
    @Test
    void aServiceKilledAfterTakingAMessageButBeforeAcceptingItLosesNothing() throws Exception {
        // 1 MiB/s per connection and one segment: A and B take about 6 s each.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start()) {
            List<String> names = List.of("q/a.bin", "q/b.bin", "q/c.bin");
            List<Path> remotes = List.of(ftp.write(names.get(0), 6L * MIB, 21), ftp.write(names.get(1), 6L * MIB, 22),
                    ftp.write(names.get(2), 100_000, 23));
            for (String name : names) {
                rabbit.publish(queue, request(name, name));
            }
            ServiceHarness harness = harness(ftp, "svc");
            harness.properties.put("ferry.broker.prefetch", "2");
            harness.writeConfig();
            try (ForkedJvm first = harness.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("/q/a.bin") && l.contains(" started: "), WAIT);
                first.awaitLine(l -> l.contains("/q/b.bin") && l.contains(" started: "), WAIT);
                Await.until(WAIT, () -> rabbit.ready(queue) == 0, () -> "C is still ready in " + queue);
                assertEquals(137, first.kill9());
                assertTrue(first.output().stream().noneMatch(l -> l.contains("/q/c.bin")),
                        "C was accepted before the kill: the test did not reach its moment\n"
                                + String.join("\n", first.output()));
            }
            assertEquals(1, rabbit.ready(queue), "the broker has C back");
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                Await.until(WAIT, () -> names.stream().allMatch(n -> Files.exists(harness.downloads().resolve(n))),
                        () -> "downloads: " + list(harness.downloads()) + "\n" + String.join("\n", last.output()));
                for (int i = 0; i < names.size(); i++) {
                    assertEquals(Hashes.sha256(remotes.get(i)), Hashes.sha256(harness.downloads().resolve(
                            names.get(i))), names.get(i));
                }
                Await.until(WAIT, () -> rabbit.ready(queue) == 0, () -> "C is still in " + queue);
            }
        }
    }

    /**
     * A message from a plain AMQP client, with a delivery mode and nothing else (no priority: pika's and most
     * clients' default). The JMS client could not read its priority, so Camel failed every delivery before Ferry's
     * route saw it: the message went round a hundred times a second, neither run nor dead-lettered.
     */
    @Test
    void aMessageWithoutAPriorityFromAPlainAmqpClientRuns() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/plain.bin", 200_000, 17);
            rabbit.publish(queue, request("q/plain.bin", "q/plain.bin"),
                    new com.rabbitmq.client.AMQP.BasicProperties.Builder().deliveryMode(2).build());
            ServiceHarness harness = harness(ftp, "svc");
            try (FerryService service = harness.start()) {
                Path local = harness.downloads().resolve("q/plain.bin");
                Await.until(WAIT, () -> Files.exists(local) && rabbit.ready(queue) == 0,
                        () -> "downloads: " + list(harness.downloads()) + ", ready: " + rabbit.ready(queue));
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
            }
            assertEquals(0, rabbit.ready(queue), "the message was acknowledged, not returned to the queue");
            assertEquals(0, rabbit.ready(queue + ".dlq"), "the request was not refused");
        }
    }

    /**
     * A message a node took and did not acknowledge (it died after accepting the transfer), delivered again after the
     * transfer was published (by a recovery; here by the same request sent again). It is the request already done:
     * nothing is sent again and the published row stays PUBLISHED. Accepted afresh, the row re-opened and the new run
     * met its own download: FAILED "already exists" (seen in ClusterFaultTest).
     */
    @Test
    void aMessageDeliveredAgainAfterItsTransferWasPublishedIsDone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/again.bin", 300_000, 18);
            ftp.write("q/next.bin", 1_000, 19);
            String request = request("q/again.bin", "q/again.bin");
            rabbit.publish(queue, request, stamped(System.currentTimeMillis()));
            ServiceHarness harness = harness(ftp, "svc");
            try (RabbitMq.Held taken = rabbit.hold(queue, WAIT)) {
                assertEquals(request, taken.body);
                try (FerryService service = harness.start()) {
                    Path local = harness.downloads().resolve("q/again.bin");
                    rabbit.publish(queue, request);
                    Await.until(WAIT, () -> "PUBLISHED".equals(status(service, local)),
                            () -> "downloads: " + list(harness.downloads()) + ", row: " + status(service, local));
                    long retrs = ftp.commandCount("RETR");
                    taken.close();
                    // Behind the returned message on the queue: once it is down, the message before it was taken.
                    rabbit.publish(queue, request("q/next.bin", "q/next.bin"));
                    Path next = harness.downloads().resolve("q/next.bin");
                    Await.until(WAIT, () -> Files.exists(next) && service.ledger().unfinished().isEmpty()
                            && rabbit.ready(queue) == 0, () -> "downloads: " + list(harness.downloads())
                            + ", unfinished: " + service.ledger().unfinished());
                    assertEquals("PUBLISHED", status(service, local), "the delivery again re-ran the transfer");
                    assertEquals(retrs + 1, ftp.commandCount("RETR"), "only q/next.bin was fetched after the publish");
                    assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
                    // Each request accepted once, though the queue's route and the pipeline's both take it in, and
                    // the delivery again not at all.
                    Path events = harness.data.resolve("events.jsonl");
                    Await.until(WAIT, () -> Files.exists(events) && ServiceHarness.read(events).lines().anyMatch(l ->
                            l.contains("\"event\":\"published\"") && l.contains("q/next.bin")), () -> "events");
                    for (String name : List.of("q/again.bin", "q/next.bin")) {
                        assertEquals(1, ServiceHarness.read(events).lines().filter(l -> l.contains(name)
                                && l.contains("\"event\":\"accepted\"")).count(), ServiceHarness.read(events));
                    }
                }
            }
            assertEquals(0, rabbit.ready(queue), "the message was acknowledged, not returned to the queue");
            assertEquals(0, rabbit.ready(queue + ".dlq"), "the request was not refused");
        }
    }

    /**
     * The same, with a message sent after the transfer was published (its timestamp says so) that the broker
     * delivers again: a new request for the same file, not a repeat of the one done. Its file is still the one
     * published and fileExist Fail keeps it, so it is done as it is: it ran before and met its own download, "already
     * exists", and its FAILED replaced the first request's PUBLISHED in the ledger (a hostile review).
     */
    @Test
    void aMessageSentAfterThePublishForAFileStillAsPublishedIsDoneAndTheRowStaysPublished() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/later.bin", 300_000, 20);
            ftp.write("q/next.bin", 1000, 23);
            String request = request("q/later.bin", "q/later.bin");
            // Stamped an hour ahead: sent, as far as the ledger can tell, after the publish below.
            rabbit.publish(queue, request, stamped(System.currentTimeMillis() + 3_600_000));
            ServiceHarness harness = harness(ftp, "svc");
            try (RabbitMq.Held taken = rabbit.hold(queue, WAIT);
                 FerryService service = harness.start()) {
                Path local = harness.downloads().resolve("q/later.bin");
                rabbit.publish(queue, request);
                Await.until(WAIT, () -> "PUBLISHED".equals(status(service, local)),
                        () -> "downloads: " + list(harness.downloads()) + ", row: " + status(service, local));
                long retrs = ftp.commandCount("RETR");
                taken.close();
                // Behind the returned message on the queue: once it is down, the message before it was taken.
                rabbit.publish(queue, request("q/next.bin", "q/next.bin"));
                Path next = harness.downloads().resolve("q/next.bin");
                Await.until(WAIT, () -> Files.exists(next) && service.ledger().unfinished().isEmpty()
                        && rabbit.ready(queue) == 0, () -> "downloads: " + list(harness.downloads())
                        + ", unfinished: " + service.ledger().unfinished());
                assertEquals("PUBLISHED", status(service, local));
                assertEquals(retrs + 1, ftp.commandCount("RETR"), "only q/next.bin was fetched after the publish");
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
            }
            assertEquals(0, rabbit.ready(queue), "the message was acknowledged, not returned to the queue");
            assertEquals(0, rabbit.ready(queue + ".dlq"), "the request was not refused");
        }
    }

    /**
     * A hostile review: a message without a send time (a plain AMQP publish) asking for the file again with other
     * options, delivered again after an earlier request for the same file was published, was taken for that request's
     * own delivery and dropped: "nothing to send", the new file never fetched. Only a delivery of the very request
     * the ledger published counts as done then.
     */
    @Test
    void anUnstampedMessageDeliveredAgainForAnotherRequestOfTheSameFileRuns() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("q/over.bin", 300_000, 21);
            String plain = request("q/over.bin", "q/over.bin");
            String override = "{\"remotePath\":\"/q/over.bin\",\"localPath\":\"q/over.bin\",\"options\":"
                    + "{\"segments\":1,\"fileExist\":\"Override\"}}";
            rabbit.publish(queue, override); // no timestamp, as pika and amqp-publish send
            ServiceHarness harness = harness(ftp, "svc");
            try (RabbitMq.Held taken = rabbit.hold(queue, WAIT);
                 FerryService service = harness.start()) {
                Path local = harness.downloads().resolve("q/over.bin");
                rabbit.publish(queue, plain);
                Await.until(WAIT, () -> "PUBLISHED".equals(status(service, local)),
                        () -> "downloads: " + list(harness.downloads()) + ", row: " + status(service, local));
                Path newer = ftp.write("q/over.bin", 300_000, 22);
                taken.close();
                Await.until(WAIT, () -> Hashes.sha256(local).equals(Hashes.sha256(newer))
                        && service.ledger().unfinished().isEmpty() && rabbit.ready(queue) == 0,
                        () -> "the Override request was not run: row " + status(service, local));
            }
            assertEquals(0, rabbit.ready(queue + ".dlq"), "the request was refused");
        }
    }

    private static com.rabbitmq.client.AMQP.BasicProperties stamped(long millis) {
        return new com.rabbitmq.client.AMQP.BasicProperties.Builder().deliveryMode(2).priority(4)
                .timestamp(new java.util.Date(millis)).build();
    }

    /** The status of the transfer to {@code local} (with its reason when it failed), or "none". */
    private static String status(FerryService service, Path local) {
        return service.ledger().recent(50).stream()
                .filter(r -> Path.of(r.localPath()).equals(local.toAbsolutePath().normalize()))
                .map(r -> r.status() + (r.reason() == null ? "" : " " + r.reason())).findFirst().orElse("none");
    }

    /** Issue 18 on the queue: a message naming a folder runs the tree as a request file does, every file verified. */
    @Test
    void aFolderRequestOnTheQueueDownloadsTheTree() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("qt/top.bin", 10_000, 31);
            ftp.write("qt/l1/mid.bin", 2L * MIB, 32);
            ftp.write("qt/l1/l2/deep.bin", 0, 33);
            ftp.write("qt/l1/l2/more.bin", 300_000, 34);
            rabbit.publish(queue, "{\"remotePath\":\"/qt/\",\"localPath\":\"qt\"}");
            ServiceHarness harness = harness(ftp, "svc");
            try (FerryService service = harness.start()) {
                Path local = harness.downloads().resolve("qt");
                String id = dev.ferry.tree.TreeRun.idOf(dev.ferry.plan.Direction.DOWNLOAD, "fixture", "/qt", local);
                Await.until(WAIT, () -> {
                    var row = service.ledger().treeListings().get(id);
                    return row != null && "DONE".equals(row.status());
                }, () -> "downloads: " + list(harness.downloads()) + ", tree: " + service.ledger().treeListings()
                        .get(id));
                assertEquals(ServiceTreeSubmitTest.hashes(ftp.file("qt")), ServiceTreeSubmitTest.hashes(local));
                var files = service.ledger().inTree(id, 100);
                assertEquals(4, files.size(), "each file's transfer names its tree: " + files);
                assertTrue(files.stream().allMatch(f -> id.equals(f.tree())), files.toString());
                // The tree's row says DONE before its run returns and forgets the request: wait for that step.
                Await.until(WAIT, () -> service.ledger().treeOrders().pending(service.ledger().leases().nodeId())
                        .isEmpty(), () -> "the tree ran: its request is not kept to run again");
                // Its files' progress events name the tree too.
                Path events = harness.data.resolve("events.jsonl");
                Await.until(WAIT, () -> Files.exists(events) && ServiceHarness.read(events).lines().filter(l -> l
                        .contains("\"event\":\"published\"") && l.contains("\"tree\":\"" + id + "\"")).count() == 4,
                        () -> "events: " + (Files.exists(events) ? ServiceHarness.read(events) : "none"));
            }
            assertEquals(0, rabbit.ready(queue), "the message was acknowledged, not returned to the queue");
            assertEquals(0, rabbit.ready(queue + ".dlq"), "the folder request was not refused");
        }
    }

    /**
     * A folder request's message is acknowledged once the tree is in the ledger: a service killed while the tree runs
     * has nothing left in the broker, and its next start runs the tree to its end from the ledger's copy.
     */
    @Test
    void aServiceKilledWhileAQueuedTreeRunsFinishesItAfterARestart() throws Exception {
        // 1 MiB/s per connection: the tree's 3 MiB files take seconds each, so the kill falls in the middle.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start()) {
            for (int i = 0; i < 3; i++) {
                ftp.write("kt/l" + i + "/sub/f" + i + ".bin", 3L * MIB, 40 + i);
            }
            ftp.write("kt/top.bin", 50_000, 49);
            ServiceHarness harness = harness(ftp, "svc");
            harness.writeConfig();
            Path local = harness.downloads().resolve("kt");
            try (ForkedJvm first = harness.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("Ferry is running"), WAIT);
                rabbit.publish(queue, "{\"remotePath\":\"/kt/\",\"localPath\":\"kt\",\"options\":{\"segments\":1}}");
                first.awaitLine(l -> l.contains("/kt/l") && l.contains(" started: "), WAIT);
                assertEquals(137, first.kill9());
            }
            assertEquals(0, rabbit.ready(queue), "the message was acknowledged before the kill");
            assertTrue(Files.notExists(local.resolve("l0/sub/f0.bin")) || Files.notExists(local.resolve(
                    "l1/sub/f1.bin")) || Files.notExists(local.resolve("l2/sub/f2.bin")),
                    "the tree had ended before the kill: the test did not reach its moment");
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                last.awaitLine(l -> l.contains("tree downloaded: ") && l.contains("/kt"), WAIT);
                assertEquals(ServiceTreeSubmitTest.hashes(ftp.file("kt")), ServiceTreeSubmitTest.hashes(local));
                assertTrue(last.output().stream().anyMatch(l -> l.contains("running it again")),
                        String.join("\n", last.output()));
            }
            assertEquals(0, rabbit.ready(queue), "nothing came back to the queue");
        }
    }
}
