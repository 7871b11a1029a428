package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.Ferry;
import dev.ferry.testing.ForkedJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review, the service's own process (Ferry.main): a key mistyped as -D or as an environment variable was
 * not checked, and the service connected quietly to port 21; a config folder given as -Dferry.config or FERRY_CONFIG
 * that does not exist was ignored, and the service started on its defaults with the demo FTP server, which took the
 * drops and had them filed as done.
 */
class ServiceProcessSettingsTest {
    private static final String REFUSED = "ferry: the service could not start: ";

    @TempDir
    Path tmp;

    /** The service's stderr; everything it might make is under tmp, should it start after all. */
    private List<String> run(UnaryOperator<ForkedJvm.Builder> setUp) throws Exception {
        ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), "127.0.0.1", 1, "u", "p").writeConfig();
        ForkedJvm.Builder b = ForkedJvm.builder(Ferry.class).systemProperty("ferry.config", h.config.toString())
                .systemProperty("ferry.data-dir", tmp.resolve("data").toString())
                .systemProperty("ferry.demo.port", "0").systemProperty("ferry.http.port", "0")
                .jvmArg("-Xmx256m").logFile(tmp.resolve("service.log"));
        try (ForkedJvm jvm = setUp.apply(b).start()) {
            assertEquals(1, jvm.awaitExit(Duration.ofSeconds(60)), String.join("\n", jvm.output()));
            return Files.readAllLines(jvm.logFile()).stream().filter(l -> l.startsWith("[err] "))
                    .map(l -> l.substring(6)).toList();
        }
    }

    @Test
    void aKeyMistypedAsASystemPropertyStopsTheStart() throws Exception {
        List<String> err = run(b -> b.systemProperty("ferry.servers.fixture.prot", "23022"));
        assertEquals(List.of(REFUSED + "configuration: system property -Dferry.servers.fixture.prot is not a known key:"
                + " did you mean ferry.servers.fixture.port?"), err);
    }

    @Test
    void aKeyMistypedAsAnEnvironmentVariableStopsTheStart() throws Exception {
        List<String> err = run(b -> b.env("FERRY_SERVERS_FIXTURE_PROT", "23022"));
        assertEquals(List.of(REFUSED + "configuration: environment variable FERRY_SERVERS_FIXTURE_PROT is not a key's"
                + " variable: did you mean FERRY_SERVERS_FIXTURE_PORT?"), err);
    }

    /** A server's variable whose profile does not exist was not read: the profile connected to port 21 quietly. */
    @Test
    void aServersVariableForAProfileThatDoesNotExistStopsTheStart() throws Exception {
        List<String> err = run(b -> b.env("FERRY_SERVERS_FIXTUR_PORT", "23022"));
        assertEquals(List.of(REFUSED + "configuration: environment variable FERRY_SERVERS_FIXTUR_PORT is a setting of a"
                + " server profile that does not exist (a profile exists once ferry.servers.<name>.host is set in"
                + " application.properties, an argument or -D; these are: fixture): correct the name or unset it"), err);
    }

    @Test
    void aConfigFolderGivenThatIsNotThereStopsTheStart() throws Exception {
        Path missing = tmp.resolve("nonexistent/cfg");
        List<String> err = run(b -> b.systemProperty("ferry.config", missing.toString()));
        assertEquals(List.of(REFUSED + "system property -Dferry.config = " + missing + " does not exist: give the"
                + " folder that holds application.properties (and secrets.properties), or leave it unset for config/"
                + " in the working folder"), err);
        assertFalse(Files.exists(tmp.resolve("data")), "nothing started");
    }

    @Test
    void aConfigFolderGivenInTheEnvironmentThatIsAFileStopsTheStart() throws Exception {
        Path file = Files.writeString(tmp.resolve("application.properties"), "");
        List<String> err = run(b -> b.systemProperty("ferry.config", "").env("FERRY_CONFIG", file.toString()));
        assertEquals(1, err.size(), err.toString());
        assertTrue(err.get(0).startsWith(REFUSED + "environment variable FERRY_CONFIG = " + file + " is not a folder:"
                + " give the folder that holds application.properties"), err.toString());
    }
}
