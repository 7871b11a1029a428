package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Path;
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
}
