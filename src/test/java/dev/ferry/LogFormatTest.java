package dev.ferry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.ForkedJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's own logging configuration (logback.xml, not the tests'), in a JVM of its own: text lines carry the
 * date; {@code ferry.log.format=json} (or FERRY_LOG_FORMAT) makes every log line a JSON object; anything else is
 * refused before a log that would say nothing. The command line with --verbose and an unknown host logs a few lines
 * and ends at once.
 */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void textLinesStartWithTheDateAndTime() throws Exception {
        List<String> err = run(1, null, null);
        assertTrue(err.stream().anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*"
                + " accepted: .*")), String.join("\n", err));
    }

    @Test
    void jsonFromTheSystemPropertyOrTheEnvironmentGivesOneObjectPerLine() throws Exception {
        for (boolean fromEnv : new boolean[] {false, true}) {
            List<String> err = fromEnv ? run(1, "json", "text") : run(1, null, "json");
            List<JsonNode> events = new ArrayList<>();
            for (String line : err) {
                if (!line.startsWith("ferry: ")) { // the command's own error line is no log line
                    events.add(JSON.readTree(line)); // fails on any line that is not JSON
                }
            }
            assertTrue(events.stream().anyMatch(e -> e.path("level").asText().equals("INFO")
                    && e.path("formattedMessage").asText().contains(" accepted: ")
                    && e.path("timestamp").asLong() > 0), String.join("\n", err));
        }
    }

    /** A name with a line break in it (here the local one) cannot start a log line that reads like Ferry's own. */
    @Test
    void aLineBreakInANameStaysInItsLine() throws Exception {
        String forged = "2026-01-01 00:00:00.000 INFO  Ferry - transfer x published";
        List<String> err = run(1, null, null, "x.bin\n" + forged);
        assertTrue(err.stream().anyMatch(l -> l.contains(" accepted: ") && l.contains("x.bin\\u000a" + forged)),
                String.join("\n", err));
        assertTrue(err.stream().noneMatch(l -> l.startsWith(forged)), String.join("\n", err));
    }

    @Test
    void anotherFormatIsRefusedAtOnce() throws Exception {
        List<String> err = run(2, "xml", null);
        assertEquals(List.of("ferry: FERRY_LOG_FORMAT is 'xml': use text (the default) or json"), err);
    }

    /** stderr lines of {@code ferry get --verbose} on an unknown host, run as the jar's main runs it. */
    private List<String> run(int expectedCode, String env, String property) throws Exception {
        return run(expectedCode, env, property, "x.bin");
    }

    private List<String> run(int expectedCode, String env, String property, String localName) throws Exception {
        ForkedJvm.Builder b = ForkedJvm.builder(Ferry.class).systemProperty("logback.configurationFile", "logback.xml")
                .args("get", "--verbose", "--ledger", tmp.resolve("ledger").toString(),
                        "ftp://u:secret-pw@no-such-host.invalid/x.bin", tmp.resolve(localName).toString());
        if (env != null) {
            b.env("FERRY_LOG_FORMAT", env);
        }
        if (property != null) {
            b.systemProperty("ferry.log.format", property);
        }
        try (ForkedJvm jvm = b.start()) {
            assertEquals(expectedCode, jvm.awaitExit(Duration.ofSeconds(60)), String.join("\n", jvm.output()));
            List<String> err = new ArrayList<>();
            for (String line : java.nio.file.Files.readAllLines(jvm.logFile())) {
                if (line.startsWith("[err] ")) {
                    err.add(line.substring(6));
                }
            }
            assertTrue(err.stream().noneMatch(l -> l.contains("secret-pw")), String.join("\n", err));
            return err;
        }
    }
}
