package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without ferry.broker.* (a fresh machine): the queue stays seda and nothing about JMS is created. */
class ServiceWithoutBrokerTest {
    @TempDir
    Path tmp;

    @Test
    void noBrokerKeysNoJms() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             FerryService service = new ServiceHarness(tmp.resolve("svc"), ftp).start()) {
            assertNull(service.camelContext().hasComponent("jms"), "the jms component was created");
            assertEquals("seda:ferry-requests", service.settings().get("ferry.queue.requests"));
        }
    }

    @Test
    void aMalformedQueuedRequestGoesToTheDeadLetterEndpointWithItsReason() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.queue.dead-letter", "seda:test-dead-letter");
            try (FerryService service = harness.start()) {
                String malformed = "{\"remotePath\": ";
                service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests", malformed);
                Exchange dead = service.camelContext().createConsumerTemplate().receive("seda:test-dead-letter",
                        30_000);
                assertNotNull(dead, "nothing reached the dead-letter endpoint");
                assertEquals(malformed, dead.getMessage().getBody(String.class));
                String reason = dead.getMessage().getHeader("FerryDeadLetterReason", String.class);
                assertTrue(reason != null && reason.contains("malformed JSON"), "reason: " + reason);

                // A hostile review: the default dead letter (the log) showed such a request's password in full.
                String withPassword = "{\"remotePath\":\"ftp://alice:Leak3dPW-77@127.0.0.1:2121/r.txt\"}";
                service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests", withPassword);
                Exchange masked = service.camelContext().createConsumerTemplate().receive("seda:test-dead-letter",
                        30_000);
                assertNotNull(masked, "nothing reached the dead-letter endpoint");
                assertEquals("{\"remotePath\":\"ftp://alice:****@127.0.0.1:2121/r.txt\"}",
                        masked.getMessage().getBody(String.class));
            }
        }
    }

    /**
     * A hostile review: the same folder queued again while its run went on was tried again for about 15 s (Camel's
     * redeliveries of the refusal) and then ran the tree a second time, instead of going to the dead-letter endpoint
     * with the reason, as the README says.
     */
    @Test
    void aFolderQueuedAgainWhileItRunsIsDeadLetteredAtOnce() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(64 * 1024).start()) {
            for (int i = 0; i < 4; i++) {
                ftp.write("incoming/slow/f" + i + ".bin", 2 << 20, i);
            }
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.queue.dead-letter", "seda:test-dead-letter");
            try (FerryService service = harness.start()) {
                String request = "{\"remotePath\":\"slow/\",\"localPath\":\"slow\"}";
                service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests", request);
                Path local = harness.downloads().resolve("slow");
                Await.until(Duration.ofSeconds(30), () -> Files.isDirectory(local) && list(local).contains(".part"),
                        () -> "the first run never started writing: " + list(harness.downloads()));
                long sent = System.nanoTime();
                service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests", request);
                Exchange dead = service.camelContext().createConsumerTemplate().receive("seda:test-dead-letter",
                        10_000);
                assertNotNull(dead, "the second request was not dead-lettered within 10 s");
                assertEquals(request, dead.getMessage().getBody(String.class));
                String reason = dead.getMessage().getHeader("FerryDeadLetterReason", String.class);
                assertTrue(reason != null && reason.contains("is running in this process"), "reason: " + reason);
                assertTrue(list(local).contains(".part"), "the first run still runs: it was refused while it ran, "
                        + (System.nanoTime() - sent) / 1_000_000 + " ms after it was sent");
            }
        }
    }

    private static String list(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        } catch (java.io.IOException e) {
            return "[" + e.getMessage() + "]";
        }
    }

    /**
     * A hostile review: with routes/segment-pipeline.yaml removed the service started and said UP, and every request
     * it accepted (202, a queue's message acknowledged) waited for ever. It does not start, and says which route is
     * missing.
     */
    @Test
    void withoutThePipelineRouteTheServiceDoesNotStart() throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (var files = Files.list(ServiceHarness.ROUTES)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("segment-pipeline.yaml")) {
                    Files.copy(f, routes.resolve(f.getFileName()));
                }
            }
        }
        String all = refusedStartWith(routes);
        assertTrue(all.contains("no route takes direct:ferry-pipeline (routes/segment-pipeline.yaml),"
                + " seda:ferry-transfers (routes/segment-pipeline.yaml)"), all);
    }

    @Test
    void aPipelineRouteThatNeverStartsIsRefusedAsMissing() throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (var files = Files.list(ServiceHarness.ROUTES)) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        Path pipeline = routes.resolve("segment-pipeline.yaml");
        String yaml = Files.readString(pipeline);
        assertTrue(yaml.contains("    id: ferry-pipeline\n"), yaml);
        Files.writeString(pipeline, yaml.replace("    id: ferry-pipeline\n",
                "    id: ferry-pipeline\n    autoStartup: false\n"));
        String all = refusedStartWith(routes);
        assertTrue(all.contains("no route takes direct:ferry-pipeline (routes/segment-pipeline.yaml):"), all);
        assertTrue(all.contains("no autoStartup: false"), all);
    }

    /** The messages, cause by cause, of the start refused with the route files of {@code routes}. */
    private String refusedStartWith(Path routes) throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml");
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> harness.start().close());
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t.getMessage()).append(" / ");
            }
            return all.toString();
        }
    }
}
