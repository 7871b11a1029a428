package dev.ferry.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.Secret;
import dev.ferry.service.FerrySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ferry.broker.* keys: nothing about JMS without them, and the password never from the configuration file. */
class BrokerSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void noUrlAndNoHostMeansNoBroker() {
        assertTrue(BrokerSettings.from(Map.of("ferry.broker.user", "guest")::get, Secret.none()).isEmpty());
    }

    @Test
    void hostPortVirtualHostAndUserMakeTheConnectionFactory() {
        BrokerSettings b = BrokerSettings.from(Map.of("ferry.broker.host", "mq.example.com", "ferry.broker.port",
                "5673", "ferry.broker.virtual-host", "ferry", "ferry.broker.user", "ferry")::get,
                Secret.of("s3cret")).orElseThrow();
        var cf = BrokerComponent.connectionFactory(b, java.util.List.of());
        assertEquals("mq.example.com", cf.getHost());
        assertEquals(5673, cf.getPort());
        assertEquals("ferry", cf.getVirtualHost());
        assertEquals("ferry", cf.getUsername());
        assertEquals("s3cret", cf.getPassword());
        assertFalse(b.toString().contains("s3cret") || cf.toString().contains("s3cret"), b + " / " + cf);
        assertEquals(4, b.prefetch(4), "prefetch defaults to the node's parallel transfers");
    }

    @Test
    void theQueuesToDeclareComeFromJmsQueueUris() {
        assertEquals("ferry-requests", BrokerComponent.queueName("jms:queue:ferry-requests?concurrentConsumers=2"));
        assertEquals("ferry-requests.dlq", BrokerComponent.queueName("jms:ferry-requests.dlq"));
        assertEquals(null, BrokerComponent.queueName("jms:topic:ferry-events"));
        assertEquals(null, BrokerComponent.queueName("seda:ferry-requests"));
    }

    @Test
    void aUrlWithAPasswordIsRefusedWithoutEchoingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BrokerSettings.from(Map.of(
                "ferry.broker.url", "amqp://ferry:s3cret@mq.example.com:5672/ferry")::get, Secret.none()));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertTrue(e.getMessage().contains("FERRY_BROKER_PASSWORD"), e.getMessage());
    }

    @Test
    void aPasswordInApplicationPropertiesIsRefused() throws Exception {
        Files.writeString(tmp.resolve("application.properties"), "ferry.broker.host=127.0.0.1\n"
                + "ferry.broker.password=guest\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(tmp, Map.of()));
        assertTrue(e.getMessage().contains("ferry.broker.password"), e.getMessage());
    }

    @Test
    void thePasswordComesFromSecretsProperties() throws Exception {
        Files.writeString(tmp.resolve("application.properties"), "ferry.broker.host=127.0.0.1\n");
        Files.writeString(tmp.resolve("secrets.properties"), "ferry.broker.password=from-secrets\n");
        FerrySettings settings = FerrySettings.load(tmp, Map.of());
        assertEquals("from-secrets", settings.secret(BrokerSettings.PASSWORD_KEY));
        assertFalse(settings.properties().containsValue("from-secrets"), "the password reached Camel's properties");
    }
}
