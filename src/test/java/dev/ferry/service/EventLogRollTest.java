package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
