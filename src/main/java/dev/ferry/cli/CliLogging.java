package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.FilterReply;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/** Where the engine's log lines go while the command line runs: nowhere, or (--verbose) to its stderr. */
final class CliLogging {
    private CliLogging() {
    }

    /**
     * The engine's log lines are the service's. On the command line the progress bar, the {@code done:} line and
     * the one error line say what happened, so without {@code --verbose} nothing is logged at all; with it the log
     * lines (as the logging configuration formats them) go to {@code err}, next to the bar, and stdout keeps only
     * the command's own lines. Returns what undoes it.
     */
    static Runnable install(boolean verbose, PrintStream err) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return () -> { };
        }
        if (!verbose) {
            TurboFilter silence = new TurboFilter() {
                @Override
                public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level,
                        String format, Object[] params, Throwable t) {
                    return FilterReply.DENY;
                }
            };
            silence.setName("ferry-cli-silence");
            silence.setContext(context);
            silence.start();
            context.addTurboFilter(silence);
            return () -> context.getTurboFilterList().remove(silence);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        Encoder<ILoggingEvent> like = null;
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (a instanceof ConsoleAppender<ILoggingEvent> console) {
                consoles.add(console);
                like = console.getEncoder();
            }
        }
        Encoder<ILoggingEvent> encoder = sameFormatAs(like);
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> toErr = new OutputStreamAppender<>();
        toErr.setName("ferry-cli-stderr");
        toErr.setContext(context);
        toErr.setEncoder(encoder);
        toErr.setOutputStream(new FilterOutputStream(err) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // err is the caller's: the appender stopping must not close it
            }
        });
        toErr.start();
        root.addAppender(toErr);
        consoles.forEach(root::detachAppender);
        return () -> {
            consoles.forEach(root::addAppender);
            root.detachAppender(toErr);
            toErr.stop();
        };
    }

    /** A new encoder writing what {@code like} writes (the console's): JSON lines stay JSON, the pattern the same. */
    private static Encoder<ILoggingEvent> sameFormatAs(Encoder<ILoggingEvent> like) {
        if (like instanceof JsonEncoder) {
            JsonEncoder copy = new JsonEncoder();
            copy.setWithSequenceNumber(false);
            copy.setWithNanoseconds(false);
            copy.setWithContext(false);
            copy.setWithMessage(false);
            copy.setWithArguments(false);
            copy.setWithFormattedMessage(true);
            return copy;
        }
        PatternLayoutEncoder copy = new PatternLayoutEncoder();
        copy.setPattern(like instanceof PatternLayoutEncoder p && p.getPattern() != null ? p.getPattern()
                : "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
        return copy;
    }
}
