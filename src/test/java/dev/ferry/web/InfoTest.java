package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.FtpServerFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /observe/info}: which build runs, as which node, on which ledger. */
class InfoTest {
    @TempDir
    Path tmp;
    WebFixture w;

    @AfterEach
    void close() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    @Test
    void infoNamesTheVersionTheNodeAndTheLedgerKind() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s);
        w.ledger.leases().configure("node-a", 30);
        HttpResponse<String> r = w.get("/observe/info");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode info = new ObjectMapper().readTree(r.body());
        assertTrue(info.get("version").asText().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.body());
        assertEquals(dev.ferry.Version.current(), info.get("version").asText());
        assertEquals("node-a", info.get("node").asText(), r.body());
        assertEquals("H2", info.get("ledger").asText(), r.body());
    }
}
