package dev.ferry;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A log line's message ({@code %printableMsg} in logback.xml) with control characters shown as \\uXXXX. File
 * and remote names reach the log from many places (Camel's error handler among them), and a name holding a line
 * break would otherwise start a line of its own that reads like one Ferry wrote (log forging).
 */
public final class PrintableMessage extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Printable.of(event.getFormattedMessage());
    }
}
