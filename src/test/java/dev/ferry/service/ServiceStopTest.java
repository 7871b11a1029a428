package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service as systemd stops it: SIGTERM, exit 143 (deploy/ferry.service counts it a success), a last line. */
class ServiceStopTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermEndsWithTheStoppedLine() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp, ftp).writeConfig();
            try (ForkedJvm jvm = harness.fork(ftp, "service")) {
                jvm.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                assertEquals(143, jvm.terminate(Duration.ofSeconds(60)), String.join("\n", jvm.output()));
                assertTrue(jvm.output().stream().anyMatch(l -> l.contains("Ferry stopped")),
                        "the stopped line: " + String.join("\n", jvm.output()));
            }
        }
    }
}
