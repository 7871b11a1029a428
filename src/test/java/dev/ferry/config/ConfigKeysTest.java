package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The registry, the shipped documentation and the code that reads keys cannot drift apart. */
class ConfigKeysTest {
    /** A key line, set or commented out: "ferry.x = v" or "# ferry.x = v". */
    private static final Pattern KEY_LINE = Pattern.compile("^#?\\s*(ferry\\.[\\w.\\-]+)\\s*=\\s*(.*?)\\s*$");
    /** The example server block's name in the shipped files. */
    private static final String EXAMPLE_SERVER = "reports";

    private static Map<String, String> documented(Path file) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = KEY_LINE.matcher(line);
            if (m.matches()) {
                keys.put(m.group(1), m.group(2));
            }
        }
        return keys;
    }

    private static Set<String> registered(boolean secret) {
        Set<String> names = new TreeSet<>();
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            if (k.secret() == secret) {
                names.add(k.forServer(EXAMPLE_SERVER));
            }
        }
        return names;
    }

    @Test
    void everyKeyInApplicationPropertiesIsRegisteredAndEveryRegisteredKeyIsDocumentedThere() throws IOException {
        Map<String, String> doc = documented(Path.of("config/application.properties"));
        List<String> unregistered = new ArrayList<>();
        for (String key : doc.keySet()) {
            if (ConfigKeys.find(key).isEmpty()) {
                unregistered.add(key);
            }
        }
        assertEquals(List.of(), unregistered, "keys in config/application.properties missing from ConfigKeys");
        Set<String> undocumented = new TreeSet<>(registered(false));
        undocumented.removeAll(doc.keySet());
        assertEquals(Set.of(), undocumented, "ConfigKeys not documented in config/application.properties");
        for (String secret : registered(true)) {
            assertFalse(doc.containsKey(secret), secret + " is a secret: document it in secrets.properties.example");
        }
    }

    @Test
    void everySecretIsDocumentedInTheSecretsExampleAndNothingElseIs() throws IOException {
        Map<String, String> doc = documented(Path.of("config/secrets.properties.example"));
        assertEquals(registered(true), new TreeSet<>(doc.keySet()));
    }

    @Test
    void theDocumentedValueOfAnOrdinaryKeyIsItsDefault() throws IOException {
        // Server blocks are examples (ftp.example.com, user ferry); every other documented value is the default.
        List<String> differ = new ArrayList<>();
        documented(Path.of("config/application.properties")).forEach((key, value) -> {
            ConfigKeys.Key k = ConfigKeys.find(key).orElseThrow();
            if (!k.perServer() && k.defaultValue() != null && !value.isEmpty()
                    && !value.equalsIgnoreCase(k.defaultValue())) {
                differ.add(key + " = " + value + " (default " + k.defaultValue() + ")");
            }
        });
        assertEquals(List.of(), differ);
    }

    @Test
    void everyKeyTheCodeOrTheRoutesReadIsRegistered() throws IOException {
        // Whole keys as Java string literals, and route placeholders such as {{ferry.inbox.poll-millis:250}}.
        Pattern literal = Pattern.compile("\"(ferry\\.[a-z0-9.\\-]*[a-z0-9])\"");
        Pattern placeholder = Pattern.compile("\\{\\{(ferry\\.[a-z0-9.\\-]+)[:}]");
        // -Dferry.config names the folder these keys are read from; ferry.log.format is read by logback before any
        // configuration (-D or FERRY_LOG_FORMAT only); ferry.css and ferry.js are the page's files; -Dferry.trace is
        // the command line's start-up trace (cli.StartTrace), read before any configuration and never by the service.
        Set<String> notKeys = Set.of("ferry.config", "ferry.log.format", "ferry.css", "ferry.js", "ferry.trace");
        Set<String> read = new TreeSet<>();
        for (String dir : new String[] {"src/main/java", "routes"}) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    for (Pattern p : new Pattern[] {literal, placeholder}) {
                        Matcher m = p.matcher(text);
                        while (m.find()) {
                            read.add(m.group(1));
                        }
                    }
                }
            }
        }
        read.removeAll(notKeys);
        // Keys an earlier version read: named in the code only to refuse them, saying what replaced them.
        read.removeAll(ConfigCheck.retiredKeys());
        assertTrue(read.size() > 20, "the scan found the keys: " + read);
        List<String> unregistered = read.stream().filter(k -> ConfigKeys.find(k).isEmpty()).toList();
        assertEquals(List.of(), unregistered, "keys read by the code but missing from ConfigKeys");
    }

    @Test
    void perServerKeysMatchAnyOneSegmentNameAndTheOptionKeysAreKnown() {
        assertEquals("21", ConfigKeys.find("ferry.servers.my-box.port").orElseThrow().defaultValue());
        assertEquals("600", ConfigKeys.find("ferry.servers.a.outage-wait").orElseThrow().defaultValue());
        assertEquals("Fail", ConfigKeys.find("ferry.file-exist").orElseThrow().defaultValue());
        assertEquals("false", ConfigKeys.find("ferry.inbox.follow-links").orElseThrow().defaultValue());
        assertEquals(Optional.empty(), ConfigKeys.find("ferry.servers.port"));
        assertEquals(Optional.empty(), ConfigKeys.find("ferry.servers.a.b.port"));
    }

    @Test
    void secretsAreKnownByNameOrByTheirLastWord() {
        for (String key : new String[] {"ferry.servers.x.password", "ferry.servers.x.trust-store-password",
                "ferry.ledger.password", "ferry.http.token", "ferry.foo.api-secret", "ferry.x.key-passphrase",
                "camel.component.jms.password", "ferry.servers.x.passwd"}) {
            assertTrue(ConfigKeys.secretLike(key), key);
        }
        for (String key : new String[] {"ferry.servers.x.trust-store", "ferry.http.host", "ferry.token-bucket.size"}) {
            assertFalse(ConfigKeys.secretLike(key), key);
        }
        assertEquals("FERRY_SERVERS_MY_BOX_TRUST_STORE_PASSWORD",
                ConfigKeys.variable("ferry.servers.my-box.trust-store-password"));
        assertEquals("FERRY_HTTP_TOKEN", ConfigKeys.variable("ferry.http.token"));
    }

    @Test
    void theNearestKeyKeepsTheServerNameTheUserWrote() {
        assertEquals(Optional.of("ferry.servers.box.port"), ConfigKeys.nearest("ferry.servers.box.prot"));
        assertEquals(Optional.of("ferry.servers.box.port"), ConfigKeys.nearest("ferry.server.box.port"));
        assertEquals(Optional.of("ferry.inbox.upload"), ConfigKeys.nearest("ferry.inbox.uplaod"));
        assertEquals(Optional.of("ferry.http.token"), ConfigKeys.nearest("ferry.http.tokn"));
        assertEquals(Optional.empty(), ConfigKeys.nearest("ferry.something.else.entirely"));
    }
}
