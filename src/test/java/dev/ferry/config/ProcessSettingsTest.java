package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A hostile review: -Dferry.servers.x.prot=23022 and FERRY_SERVERS_X_PROT=23022 were not checked (the same typo in the
 * file or an argument is refused), and the service quietly connected to port 21.
 */
class ProcessSettingsTest {
    private static final Path SECRETS = Path.of("/etc/ferry/secrets.properties");

    private static String refused(Map<?, ?> properties, Map<String, String> environment) {
        String m = assertThrows(IllegalStateException.class,
                () -> ProcessSettings.check(properties, environment, SECRETS)).getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        return m;
    }

    @Test
    void aSystemPropertyThatIsNoKeyIsRefusedNamingTheKeyItMeant() {
        String m = refused(Map.of("ferry.servers.x.prot", "23022"), Map.of());
        assertEquals("configuration: system property -Dferry.servers.x.prot is not a known key: did you mean"
                + " ferry.servers.x.port?", m);
        m = refused(Map.of("ferry.servers.x.passwd", "hunter2", "ferry.colour", "blue"), Map.of());
        assertTrue(m.contains("system property -Dferry.colour is not a known key (every key is documented"), m);
        assertTrue(m.contains("system property -Dferry.servers.x.passwd is not a known key: did you mean"
                + " ferry.servers.x.password? That is a secret: set FERRY_SERVERS_X_PASSWORD in the environment or put"
                + " ferry.servers.x.password in " + SECRETS), m);
        assertFalse(m.contains("hunter2") || m.contains("blue"), "never a value: " + m);
    }

    /** FERRY_SERVERS_PRD_PORT beside ferry.servers.prod.host was not read: prod connected to port 21 quietly. */
    @Test
    void aServersVariableForAProfileThatDoesNotExistIsRefused() {
        Map<String, String> env = Map.of("FERRY_SERVERS_PRD_PORT", "2121", "FERRY_SERVERS_PROD_USER", "bob",
                "FERRY_SERVERS_MY_BOX_PASSWORD", "hunter2", "FERRY_SERVERS_MY_BOX_CONNECT_TIMEOUT", "5000");
        String m = assertThrows(IllegalStateException.class,
                () -> ProcessSettings.checkServers(env, new TreeSet<>(Set.of("prod", "my-box")))).getMessage();
        assertEquals("configuration: environment variable FERRY_SERVERS_PRD_PORT is a setting of a server profile that"
                + " does not exist (a profile exists once ferry.servers.<name>.host is set in application.properties, an"
                + " argument or -D; these are: my-box, prod): correct the name or unset it", m);
        ProcessSettings.checkServers(Map.of("FERRY_SERVERS_PROD_USER", "bob", "FERRY_SERVERS_MY_BOX_PASSWORD", "x",
                "FERRY_INBOX_UPLOAD", "in"), Set.of("prod", "my-box"));
        m = assertThrows(IllegalStateException.class,
                () -> ProcessSettings.checkServers(Map.of("FERRY_SERVERS_Y_PASSWORD", "hunter2"), Set.of())).getMessage();
        assertTrue(m.contains("FERRY_SERVERS_Y_PASSWORD is a setting of a server profile that does not exist") && m
                .contains("none is"), m);
        assertFalse(m.contains("hunter2"), m);
    }

    @Test
    void anEnvironmentVariableThatIsNoKeysIsRefusedNamingTheVariableItMeant() {
        String m = refused(Map.of(), Map.of("FERRY_SERVERS_X_PROT", "23022"));
        assertEquals("configuration: environment variable FERRY_SERVERS_X_PROT is not a key's variable: did you mean"
                + " FERRY_SERVERS_X_PORT?", m);
        assertEquals(Optional.of("FERRY_SERVERS_MY_BOX_CONNECT_TIMEOUT"),
                ProcessSettings.nearest("FERRY_SERVERS_MY_BOX_CONECT_TIMEOUT"));
        assertEquals(Optional.of("FERRY_INBOX_UPLOAD"), ProcessSettings.nearest("FERRY_INBOX_UPLAOD"));
        assertEquals(Optional.of("FERRY_DOWNLOAD_DIR"), ProcessSettings.nearest("FERRY_DOWNLOADS_DIR"));
        m = refused(Map.of(), Map.of("FERRY_SERVERS_X_PASWORD", "hunter2", "FERRY_COLOUR", "blue"));
        assertTrue(m.contains("environment variable FERRY_COLOUR is not a key's variable (a key's is the key in upper"
                + " case"), m);
        assertTrue(m.contains("correct it or unset it"), m);
        assertTrue(m.contains("environment variable FERRY_SERVERS_X_PASWORD is not a key's variable: did you mean"
                + " FERRY_SERVERS_X_PASSWORD?"), m);
        assertFalse(m.contains("hunter2") || m.contains("blue"), "never a value: " + m);
    }

    @Test
    void keysTheirVariablesAndWhatFerrysScriptsAndTestsReadPass() {
        ProcessSettings.check(Map.of("ferry.config", "/etc/ferry", "ferry.log.format", "json", "ferry.trace", "",
                "ferry.servers.my-box.port", "2121", "ferry.ledger.password", "pw", "java.home", "/jdk"),
                Map.of("FERRY_DATA_DIR", "d", "FERRY_SERVERS_MY_BOX_PORT", "2121", "FERRY_SERVERS_MY_BOX_PASSWORD", "p",
                        "FERRY_SERVERS_X_TRUST_STORE_PASSWORD", "p", "FERRY_LEDGER_PASSWORD", "p", "FERRY_HTTP_TOKEN",
                        "t", "FERRY_BROKER_PASSWORD", "p", "FERRYMAN", "not ours", "PATH", "/bin"), SECRETS);
    }

    /** Every FERRY_ variable the project's scripts, build, tests and code read is a key's or let through. */
    @Test
    void everyVariableTheProjectReadsPasses() throws IOException {
        Pattern variable = Pattern.compile("\\bFERRY_[A-Z0-9_]*[A-Z0-9]\\b");
        Set<String> seen = new TreeSet<>();
        for (String dir : List.of("bin", ".ci", "bench", "deploy", "src", "config")) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                for (Path f : walk.filter(Files::isRegularFile).filter(ProcessSettingsTest::isText).toList()) {
                    Matcher m = variable.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
                    while (m.find()) {
                        seen.add(m.group());
                    }
                }
            }
        }
        assertTrue(seen.contains("FERRY_CDS_DIR") && seen.contains("FERRY_REQUIRE_POSTGRES"), seen.toString());
        java.util.Map<String, String> all = new java.util.TreeMap<>();
        seen.forEach(v -> all.put(v, "x"));
        ProcessSettings.check(Map.of(), all, SECRETS);
    }

    /** Not the tests of this check, which name typos on purpose. */
    private static boolean isText(Path f) {
        String name = f.getFileName().toString();
        return !name.startsWith("ProcessSettings") && !name.startsWith("ServiceProcessSettings")
                && !name.endsWith(".jar") && !name.endsWith(".p12") && !name.endsWith(".png") && !name.endsWith(".jsa")
                && !name.endsWith(".class");
    }

    /**
     * An upgrade keeps its configuration: a node set up for shared inboxes before the ledger's election (365be3b) has
     * ferry.cluster.inbox-lock-dir, which this version refused as "not a known key (every key is documented ...)", as
     * if it were a typo, without saying the key is gone and what replaced it.
     */
    @Test
    void aKeyAnEarlierVersionReadIsRefusedSayingWhatReplacedIt() {
        String advice = "the nodes with ferry.cluster.inbox = master now elect the one that takes the shared inboxes"
                + " in the shared ledger (ferry.ledger.url), with no lock file; remove the key";
        String m = assertThrows(IllegalStateException.class, () -> ConfigCheck.applicationFile(
                Path.of("config/application.properties"), Map.of("ferry.cluster.inbox-lock-dir", "/srv/locks"),
                SECRETS)).getMessage();
        assertEquals("config/application.properties: ferry.cluster.inbox-lock-dir is no longer used (an earlier"
                + " version read it): " + advice, m);
        m = refused(Map.of("ferry.cluster.inbox-lock-dir", "/srv/locks"), Map.of());
        assertEquals("configuration: system property -Dferry.cluster.inbox-lock-dir is no longer used (an earlier"
                + " version read it): " + advice, m);
        m = refused(Map.of(), Map.of("FERRY_CLUSTER_INBOX_LOCK_DIR", "/srv/locks"));
        assertEquals("configuration: environment variable FERRY_CLUSTER_INBOX_LOCK_DIR is no longer used (an earlier"
                + " version read it): " + advice, m);
    }
}
