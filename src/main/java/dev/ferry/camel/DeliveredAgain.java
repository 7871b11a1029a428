package dev.ferry.camel;

import java.time.Instant;
import org.apache.camel.Exchange;

/**
 * A broker message the broker delivered before (JMS's {@code JMSRedelivered}): a node took it, accepted its transfer
 * perhaps, and died or stopped before the acknowledgement. Such a delivery is not a new request when the transfer it
 * asks for was published after the message was sent: the earlier delivery's transfer did the work.
 */
record DeliveredAgain(Instant sent) {

    /** The message's send time when the producer stamped it ({@code JMSTimestamp}), else null. */
    static DeliveredAgain of(Exchange exchange) {
        Boolean again = exchange.getIn().getHeader("JMSRedelivered", Boolean.class);
        if (!Boolean.TRUE.equals(again)) {
            return null;
        }
        Long stamp = exchange.getIn().getHeader("JMSTimestamp", Long.class);
        if (stamp == null || stamp <= 0) {
            return new DeliveredAgain(null);
        }
        // The RabbitMQ JMS client gives a plain AMQP message's timestamp in seconds (AMQP's unit), not JMS's
        // milliseconds; as milliseconds it would read as January 1970.
        return new DeliveredAgain(Instant.ofEpochMilli(stamp < SECONDS_UNTIL ? stamp * 1000 : stamp));
    }

    /** Below this a timestamp is in seconds: as milliseconds it is March 1973, as seconds the year 5138. */
    private static final long SECONDS_UNTIL = 100_000_000_000L;

    /**
     * Whether a publish at {@code published} can be this message's own: not one that ended before the message was
     * sent (the request is then a new one, for the same file again). Without a send time the broker's word decides.
     */
    boolean sentBefore(Instant published) {
        return sent == null || !sent.isAfter(published);
    }
}
