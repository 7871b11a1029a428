package dev.ferry.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * A broker outage in a few lines, not an ERROR every five seconds. Cut from RabbitMQ, the queue route's listener
 * container logged the RabbitMQ JMS client's ERROR with a stack trace (the transaction commit of a connection that
 * just closed), then "Could not refresh JMS Connection … Cause:" at ERROR every 5 s for as long as the broker was
 * away, per node, and nothing when it came back (Spring's "Successfully refreshed" line is DEBUG). Kept: the first
 * retry line of an outage and one a minute while it lasts; its end is an INFO line of this class.
 * A filter, since the lines are Spring's and the client's, and a logger's level would keep all or none of them.
 */
public final class BrokerOutageLines extends TurboFilter {
    static final String CONTAINER = "org.apache.camel.component.jms.DefaultJmsMessageListenerContainer";
    static final String SESSION = "com.rabbitmq.jms.client.RMQSession";
    private static final long REPEAT_NANOS = 60_000_000_000L;

    private final java.util.function.LongSupplier nanoTime;
    private volatile boolean away;
    private volatile long lastShown;

    public BrokerOutageLines() {
        this(System::nanoTime);
    }

    BrokerOutageLines(java.util.function.LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        if (t == null && params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) {
            t = last; // logged as a format's last argument: logback takes it as the throwable later
        }
        if (SESSION.equals(name) && level == Level.ERROR && lostConnection(t)) {
            // The container reports the same loss on the next line, without a stack trace.
            return FilterReply.DENY;
        }
        if (!CONTAINER.equals(name)) {
            return FilterReply.NEUTRAL;
        }
        if (format.startsWith("Could not refresh JMS Connection")) {
            long now = nanoTime.getAsLong();
            if (away && now - lastShown < REPEAT_NANOS) {
                return FilterReply.DENY;
            }
            away = true;
            lastShown = now;
            return FilterReply.NEUTRAL;
        }
        if (format.startsWith("Successfully refreshed JMS Connection") && away) {
            // Spring says it at DEBUG; an operator who saw the outage's lines needs to see its end.
            away = false;
            logger.getLoggerContext().getLogger(BrokerOutageLines.class)
                    .info("the broker answers again: the queue route takes requests from it");
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean lostConnection(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketException || c instanceof java.io.EOFException) {
                return true;
            }
            // By name: the RabbitMQ client is on the class path only with a broker configured.
            for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
                if (k.getName().equals("com.rabbitmq.client.ShutdownSignalException")) {
                    return true;
                }
            }
        }
        return false;
    }
}
