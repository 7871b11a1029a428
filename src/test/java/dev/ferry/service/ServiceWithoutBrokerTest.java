package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Path;
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
            }
        }
    }
}
