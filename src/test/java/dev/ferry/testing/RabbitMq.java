package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The RabbitMQ at 127.0.0.1:5672 (guest/guest) that CI and the developers' machines run. Tests publish, read and
 * look at queues with the AMQP 0-9-1 client (the one under the service's JMS client), as any publisher would.
 * Without a reachable broker a test is skipped with a hint, unless CI=true or FERRY_REQUIRE_RABBITMQ=1, which make
 * it a failure. Every queue a test names comes from {@link #uniqueQueue} and is deleted by {@link #close}.
 */
public final class RabbitMq implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;
    public static final String USER = "guest";
    public static final String PASSWORD = "guest";

    private final List<String> queues = new ArrayList<>();

    private RabbitMq() {
    }

    /** The broker, or the test is skipped (failed under CI) when it is not reachable. */
    public static RabbitMq requireReachable() {
        try (Connection c = amqp().newConnection("ferry-test-probe")) {
            return new RabbitMq();
        } catch (Exception e) {
            String problem = "RabbitMQ is not reachable at " + HOST + ":" + PORT + " as " + USER + ": " + e;
            if ("true".equals(System.getenv("CI")) || "1".equals(System.getenv("FERRY_REQUIRE_RABBITMQ"))) {
                fail(problem + " (CI=true or FERRY_REQUIRE_RABBITMQ=1 requires it)");
            }
            Assumptions.abort(problem + ". To run these tests, install and start RabbitMQ there (Debian:"
                    + " apt-get install rabbitmq-server) with the default guest user; set FERRY_REQUIRE_RABBITMQ=1 to"
                    + " make its absence a failure.");
            throw new AssertionError("unreachable");
        }
    }

    /** A queue name no other test (or run) uses; it and its .dlq are deleted at {@link #close}. */
    public String uniqueQueue(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        queues.add(name);
        queues.add(name + ".dlq");
        return name;
    }

    /** Declares a durable queue as the service does, for a publisher that comes before any node. */
    public void declare(String queue) {
        try (Connection c = amqp().newConnection("ferry-test"); Channel ch = c.createChannel()) {
            ch.queueDeclare(queue, true, false, false, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes a persistent message to the default exchange, routing key = queue, as any AMQP client can. */
    public void publish(String queue, String text) {
        publish(queue, text, MessageProperties.PERSISTENT_BASIC);
    }

    /**
     * The same with the client's own properties: e.g. only {@code deliveryMode(2)}, as pika and most clients send
     * (no priority, no content type), where {@code PERSISTENT_BASIC} carries priority 0 and a content type.
     */
    public void publish(String queue, String text, com.rabbitmq.client.AMQP.BasicProperties properties) {
        try (Connection c = amqp().newConnection("ferry-test"); Channel ch = c.createChannel()) {
            ch.basicPublish("", queue, properties, text.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A message taken (and acknowledged) from a queue: its body as text and its headers. */
    public record Received(String body, Map<String, Object> headers) {
        public String header(String name) {
            Object v = headers == null ? null : headers.get(name);
            return v == null ? null : v.toString();
        }
    }

    /** The next message on the queue within the timeout, or null. */
    public Received receive(String queue, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        try (Connection c = amqp().newConnection("ferry-test"); Channel ch = c.createChannel()) {
            while (true) {
                GetResponse r = ch.basicGet(queue, true);
                if (r != null) {
                    return new Received(new String(r.getBody(), StandardCharsets.UTF_8), r.getProps().getHeaders());
                }
                if (System.nanoTime() > until) {
                    return null;
                }
                Thread.sleep(Await.POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Takes the next message on the queue without acknowledging it, as a consumer that dies before its
     * acknowledgement: the broker gives it to no one else until {@link Held#close}, which returns it to the queue,
     * where its next delivery says it was delivered before (JMSRedelivered).
     */
    public Held hold(String queue, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        try {
            Connection c = amqp().newConnection("ferry-test-holder");
            Channel ch = c.createChannel();
            while (true) {
                GetResponse r = ch.basicGet(queue, false);
                if (r != null) {
                    return new Held(c, ch, r.getEnvelope().getDeliveryTag(),
                            new String(r.getBody(), StandardCharsets.UTF_8));
                }
                if (System.nanoTime() > until) {
                    c.close();
                    fail("no message on " + queue + " to hold within " + timeout);
                }
                Thread.sleep(Await.POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A message taken and not acknowledged; closing returns it to its queue. */
    public static final class Held implements AutoCloseable {
        private final Connection connection;
        private final Channel channel;
        private final long tag;
        private boolean returned;
        public final String body;

        private Held(Connection connection, Channel channel, long tag, String body) {
            this.connection = connection;
            this.channel = channel;
            this.tag = tag;
            this.body = body;
        }

        @Override
        public synchronized void close() {
            if (returned) {
                return;
            }
            returned = true;
            try {
                channel.basicNack(tag, false, true);
                connection.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Messages ready for delivery (not those a consumer holds unacknowledged); 0 for a queue not declared yet. */
    public long ready(String queue) {
        try (Connection c = amqp().newConnection("ferry-test"); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (com.rabbitmq.client.ShutdownSignalException | java.io.IOException e) {
            return 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConnectionFactory amqp() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(HOST);
        f.setPort(PORT);
        f.setUsername(USER);
        f.setPassword(PASSWORD);
        f.setConnectionTimeout(3_000);
        return f;
    }

    @Override
    public void close() {
        try (Connection c = amqp().newConnection("ferry-test-cleanup")) {
            for (String q : queues) {
                try (Channel ch = c.createChannel()) {
                    ch.queueDelete(q);
                }
            }
        } catch (Exception e) {
            System.err.println("could not delete the test queues " + queues + ": " + e);
        }
    }
}
