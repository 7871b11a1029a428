package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of bad configuration: a route file with broken YAML stopped the start with "Error pre-parsing
 * resource: file:…/zz-broken.yaml" and nothing about where, and a start from a folder without routes/ with
 * "java.nio.file.NoSuchFileException: routes". The line the service prints names the line and what to do.
 */
class StartFailureTest {
    @TempDir
    Path tmp;

    @Test
    void brokenYamlInARouteFileIsReportedWithItsLine() throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (var files = Files.list(ServiceHarness.ROUTES)) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        Files.writeString(routes.resolve("zz-broken.yaml"), "- route:\n    id: x\n    from:\n      uri: \"timer:x\n"
                + "      steps: [\n");
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml");
            Exception e = assertThrows(Exception.class, () -> harness.start().close());
            String line = StartFailure.describe(e);
            assertTrue(line.contains("zz-broken.yaml") && line.contains("line 4"), line);
        }
    }

    @Test
    void aMissingRoutesFolderSaysWhereItWasLookedForAndWhatToDo() {
        String line = StartFailure.describe(new RuntimeCamelException(new NoSuchFileException("routes")));
        assertTrue(line.contains(Path.of("routes").toAbsolutePath().toString()), line);
        assertTrue(line.contains("start it from the folder it was installed in")
                && line.contains("camel.main.routes-include-pattern"), line);
    }

    @Test
    void anUndefinedPlaceholderSaysWhereToSetIt() {
        String line = StartFailure.describe(new RuntimeCamelException(new IllegalArgumentException(
                "Property with key [ferry.events.endpiont] not found in properties from text: {{ferry.events.endpiont}}")));
        assertTrue(line.contains("ferry.events.endpiont") && line.contains("config/application.properties"), line);
    }
}
