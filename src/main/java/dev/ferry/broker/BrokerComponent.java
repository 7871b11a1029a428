package dev.ferry.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.jms.admin.RMQConnectionFactory;
import com.rabbitmq.jms.admin.RMQDestination;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.component.jms.JmsComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.support.destination.DestinationResolver;

/**
 * The {@code jms} component on RabbitMQ's JMS client, bound only when a broker is configured.
 *
 * <p>Consumers use local JMS transactions (Camel's {@code transacted}, without a transaction manager): a message is
 * acknowledged when the route that took it completes, so only after {@code ferry:accept} committed the request to
 * the ledger, and redelivered by the broker if the route fails or the JVM dies first. A message sent inside that
 * route (the dead-letter queue) joins the same transaction. Spring's listener container receives one message at a
 * time per consumer ({@code basic.get}); the channel QoS of 1 bounds a listener consumer the same way.
 *
 * <p>{@code jms:queue:NAME} is the plain AMQP queue NAME (default exchange, routing key NAME), read and written as
 * raw bytes: any AMQP 0-9-1 client can publish requests and read the dead-letter queue, not only JMS clients (a JMS
 * destination would take only the JMS client's own message format, and one foreign message would block it).
 * Topics stay JMS topics. The queues the configuration names are declared (durable) on every connect.
 */
public final class BrokerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);

    private BrokerComponent() {
    }

    public static RMQConnectionFactory connectionFactory(BrokerSettings broker, List<String> queues) {
        RMQConnectionFactory cf = new RMQConnectionFactory();
        try {
            if (broker.url() != null) {
                cf.setUri(broker.url());
            }
        } catch (JMSException e) {
            throw new IllegalStateException("ferry.broker.url = '" + broker.url() + "': " + e.getMessage(), e);
        }
        if (broker.url() == null) {
            cf.setHost(broker.host());
            cf.setPort(broker.port());
            if (broker.virtualHost() != null) {
                cf.setVirtualHost(broker.virtualHost());
            }
        }
        if (broker.user() != null) {
            cf.setUsername(broker.user());
        }
        if (!broker.password().isEmpty()) {
            cf.setPassword(broker.password().reveal());
        }
        // One unacknowledged message per consumer (for a listener consumer; polling ones take one anyway): how many
        // this node takes in all is PipelineRoom's business.
        cf.setChannelsQos(1);
        // Text published by a JMS client is read back as text.
        cf.setKeepTextMessageType(true);
        // A message from a plain AMQP client without a priority (pika's and most clients' default) has no JMS
        // priority, and the JMS client throws when asked for it: Camel asks before any route runs, so the message
        // went round for ever, neither run nor dead-lettered. It gets JMS's default priority instead.
        cf.setReceivingContextConsumer(context -> {
            jakarta.jms.Message message = context.getMessage();
            try {
                message.getJMSPriority();
            } catch (NumberFormatException e) {
                message.setJMSPriority(jakarta.jms.Message.DEFAULT_PRIORITY);
            }
        });
        cf.setAmqpConnectionPostProcessor(connection -> declare(connection, queues));
        return cf;
    }

    public static JmsComponent component(BrokerSettings broker, List<String> endpointUris) {
        List<String> queues = new ArrayList<>();
        for (String uri : endpointUris) {
            String name = queueName(uri);
            if (name != null) {
                queues.add(name);
            }
        }
        JmsComponent jms = JmsComponent.jmsComponent(connectionFactory(broker, queues));
        jms.getConfiguration().setTransacted(true);
        // Local JMS transactions: no transaction manager (it would make Spring open a connection per receive).
        jms.getConfiguration().setLazyCreateTransactionManager(false);
        jms.getConfiguration().setCacheLevelName("CACHE_CONSUMER");
        jms.setDestinationResolver(new AmqpQueues());
        return jms;
    }

    /** The queue of jms:queue:NAME or jms:NAME, else null. */
    static String queueName(String uri) {
        if (uri == null || !uri.startsWith("jms:") || uri.startsWith("jms:topic:")) {
            return null;
        }
        String name = uri.substring(uri.startsWith("jms:queue:") ? "jms:queue:".length() : "jms:".length());
        int q = name.indexOf('?');
        return q < 0 ? name : name.substring(0, q);
    }

    private static void declare(Connection connection, List<String> queues) {
        for (String queue : queues) {
            try (Channel channel = connection.createChannel()) {
                channel.queueDeclare(queue, true, false, false, null);
            } catch (Exception e) {
                // Declared before with other arguments (by an operator): it exists, which is all that is needed.
                LOG.warn("queue {} not declared by Ferry: {}", queue, e.getMessage());
            }
        }
    }

    /** jms:queue:NAME as the AMQP queue NAME; topics as the JMS client makes them. */
    private static final class AmqpQueues implements DestinationResolver {
        @Override
        public Destination resolveDestinationName(Session session, String name, boolean pubSubDomain)
                throws JMSException {
            return pubSubDomain ? session.createTopic(name) : new RMQDestination(name, "", name, name);
        }
    }
}
