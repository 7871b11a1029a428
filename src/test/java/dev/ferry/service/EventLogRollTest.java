package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A hostile review of local resources: data/events.jsonl grew without end (3.2 MB after 6,500 small drops). */
class EventLogRollTest {
    @TempDir
    Path tmp;

    @Test
    void theEventsFileBecomesItsPreviousOnceItPassesItsLimit() throws Exception {
        Path events = tmp.resolve("events.jsonl");
        EventLogRoll roll = new EventLogRoll(events, 1000);
        roll.roll(); // nothing written yet
        Files.writeString(events, "x".repeat(1001));
        for (int i = 1; i < EventLogRoll.EVERY; i++) {
            roll.roll();
        }
        assertEquals(1001, Files.size(events), "looked at before its turn");
        roll.roll();
        assertFalse(Files.exists(events), "not rolled over past its limit");
        assertEquals(1001, Files.size(tmp.resolve("events.jsonl.1")));

        Files.writeString(events, "y".repeat(2000));
        for (int i = 0; i < EventLogRoll.EVERY; i++) {
            roll.roll();
        }
        assertEquals(2000, Files.size(tmp.resolve("events.jsonl.1")), "the one before is replaced, not kept");
    }

    /** Events that cannot be appended are said once a minute, with how many since the last time. */
    @Test
    void unwrittenEventsAreSaidOnceAMinuteWithTheirCount() {
        AtomicLong clock = new AtomicLong(5);
        EventLogRoll roll = new EventLogRoll(tmp.resolve("events.jsonl"), 1000, clock::get);
        List<ILoggingEvent> said = capture(() -> {
            roll.unwritten(new IOException("No space left on device"));
            for (int i = 0; i < 40; i++) {
                clock.addAndGet(EventLogRoll.SAY_EVERY_NANOS / 50);
                roll.unwritten(new IOException("No space left on device"));
            }
            clock.addAndGet(EventLogRoll.SAY_EVERY_NANOS);
            roll.unwritten(new IOException("No space left on device"));
        });
        assertEquals(2, said.size(), said.toString());
        assertTrue(said.get(0).getFormattedMessage().startsWith("1 event(s) could not be appended to "),
                said.get(0).getFormattedMessage());
        assertTrue(said.get(0).getFormattedMessage().contains("No space left on device"), said.get(0).toString());
        assertTrue(said.get(1).getFormattedMessage().startsWith("41 event(s)"), said.get(1).getFormattedMessage());
    }

    /**
     * The review again: on a full disk the events route's default error handler logged an ERROR with a stack trace
     * for every event (a dozen per small drop) for as long as the disk stayed full. A folder where the file goes
     * fails every append the same way.
     */
    @Test
    void aServiceThatCannotAppendEventsSaysSoOnceAndGoesOn() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            Files.createDirectories(harness.data.resolve("events.jsonl"));
            List<ILoggingEvent> log = capture(() -> {
                try (FerryService service = harness.start()) {
                    Path inbox = Files.createDirectories(harness.uploadInbox());
                    for (int i = 0; i < 3; i++) {
                        ServiceHarness.dropInto(inbox, PseudoRandomContent.write(tmp.resolve("staging/e" + i + ".bin"),
                                10_000, i));
                    }
                    Await.until(Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/e0.bin"))
                            && Files.exists(inbox.resolve(".done/e1.bin")) && Files.exists(inbox.resolve(".done/e2.bin")),
                            () -> "not sent: " + list(inbox));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            // Ferry's and Camel's lines (the embedded server warns of its own passive ports).
            List<String> loud = log.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .filter(e -> e.getLoggerName().startsWith("dev.ferry") || e.getLoggerName().startsWith("org.apache.camel"))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
            List<String> aboutEvents = loud.stream().filter(m -> m.contains("could not be appended")).toList();
            assertEquals(1, aboutEvents.size(), "once, not per event: " + loud);
            assertTrue(aboutEvents.get(0).contains("events.jsonl"), aboutEvents.get(0));
            assertEquals(List.of(), loud.stream().filter(m -> !m.contains("could not be appended")).toList(),
                    "nothing else loud");
        }
    }

    private static List<ILoggingEvent> capture(Runnable run) {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try {
            run.run();
        } finally {
            root.detachAppender(log);
        }
        return List.copyOf(log.list);
    }
}
