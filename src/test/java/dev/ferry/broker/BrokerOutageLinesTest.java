package dev.ferry.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A broker outage as the listener container and the RabbitMQ JMS client log it, through the filter. */
class BrokerOutageLinesTest {
    private static final String RETRY = "Could not refresh JMS Connection for destination 'q' - retrying using"
            + " FixedBackOff{interval=5000, currentAttempts=0, maxAttempts=unlimited}. Cause: ";

    @Test
    void anOutageIsAFewLinesAndItsEndIsTold() {
        AtomicLong now = new AtomicLong();
        LoggerContext context = new LoggerContext();
        context.addTurboFilter(new BrokerOutageLines(now::get));
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.setContext(context);
        lines.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(lines);
        // As logback.xml sets it: Camel's own loggers at WARN.
        context.getLogger("org.apache.camel").setLevel(Level.WARN);
        Logger container = context.getLogger(BrokerOutageLines.CONTAINER);
        Logger session = context.getLogger(BrokerOutageLines.SESSION);

        session.error("RabbitMQ exception on channel.txCommit() in session {}", "x", new java.io.IOException(null,
                new java.io.EOFException()));
        container.warn("Setup of JMS message listener invoker failed for destination 'q' - trying to recover.");
        for (int i = 0; i < 30; i++) { // 150 s of retries every 5 s
            container.error(RETRY);
            now.addAndGet(5_000_000_000L);
        }
        container.debug("Successfully refreshed JMS Connection");
        // A later outage is told again.
        container.error(RETRY);
        // Other errors of the client stay.
        session.error("RabbitMQ exception on channel.basicAck()", new IllegalStateException("bad tag"));

        List<String> seen = lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()
                .replaceAll(" for destination.*", "")).toList();
        assertEquals(List.of(
                "WARN Setup of JMS message listener invoker failed",
                "ERROR Could not refresh JMS Connection",
                "ERROR Could not refresh JMS Connection", // a minute on
                "ERROR Could not refresh JMS Connection", // two minutes on
                "INFO the broker answers again: the queue route takes requests from it",
                "ERROR Could not refresh JMS Connection",
                "ERROR RabbitMQ exception on channel.basicAck()"), seen);
    }
}
