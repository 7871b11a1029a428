package dev.ferry.broker;

import com.rabbitmq.jms.admin.RMQConnectionFactory;
import jakarta.jms.JMSException;
import org.apache.camel.component.jms.JmsComponent;

/**
 * The {@code jms} component on RabbitMQ's JMS client, bound only when a broker is configured.
 *
 * <p>Consumers use local JMS transactions (Camel's {@code transacted}, without a transaction manager): a message is
 * acknowledged when the route that took it completes, so only after {@code ferry:accept} committed the request to
 * the ledger, and redelivered by the broker if the route fails or the JVM dies first. A message sent inside that
 * route (the dead-letter queue) joins the same transaction. Spring's listener container receives one message at a
 * time per consumer ({@code basic.get}); the channel QoS of 1 bounds a listener consumer the same way.
 */
public final class BrokerComponent {
    private BrokerComponent() {
    }

    public static RMQConnectionFactory connectionFactory(BrokerSettings broker) {
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
        return cf;
    }

    public static JmsComponent component(BrokerSettings broker) {
        JmsComponent jms = JmsComponent.jmsComponent(connectionFactory(broker));
        jms.getConfiguration().setTransacted(true);
        // Local JMS transactions: no transaction manager (it would make Spring open a connection per receive).
        jms.getConfiguration().setLazyCreateTransactionManager(false);
        jms.getConfiguration().setCacheLevelName("CACHE_CONSUMER");
        return jms;
    }
}
