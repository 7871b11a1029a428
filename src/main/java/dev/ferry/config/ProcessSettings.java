package dev.ferry.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The service process's own {@code -Dferry.*} system properties and {@code FERRY_*} environment variables, checked as
 * {@link ConfigCheck} checks the file: Camel reads a key from them only when something asks for that key, so a typo
 * ({@code -Dferry.servers.x.prot}, {@code FERRY_SERVERS_X_PROT}) was never read, and Ferry quietly connected to port
 * 21. Names that are no key's but that Ferry's scripts, build and tests read are let through.
 */
public final class ProcessSettings {
    /** Read before any configuration: the config folder, logback's format, the command line's start-up trace. */
    private static final Set<String> PROPERTIES = Set.of("ferry.config", "ferry.log.format", "ferry.trace");
    /**
     * FERRY_CONFIG and FERRY_LOG_FORMAT as above; bin/ferry's FERRY_JAR, FERRY_CDS, FERRY_CDS_DIR; bench's
     * FERRY_JVM_OPTS; .ci's FERRY_FTP_PREFIX, FERRY_FTP_DEB_CACHE, FERRY_FTP_RATE, FERRY_FTP_EXTRA; the tests'
     * FERRY_REQUIRE_POSTGRES, FERRY_REQUIRE_RABBITMQ, FERRY_TEST_PW, FERRY_FORK_TEST, which a service forked by a test
     * inherits.
     */
    private static final Set<String> VARIABLES = Set.of("FERRY_CONFIG", "FERRY_LOG_FORMAT", "FERRY_JAR", "FERRY_CDS",
            "FERRY_CDS_DIR", "FERRY_JVM_OPTS", "FERRY_FTP_PREFIX", "FERRY_FTP_DEB_CACHE", "FERRY_FTP_RATE",
            "FERRY_FTP_EXTRA", "FERRY_REQUIRE_POSTGRES", "FERRY_REQUIRE_RABBITMQ", "FERRY_TEST_PW", "FERRY_FORK_TEST");
    private static final String SERVERS = ConfigKeys.variable(ConfigKeys.SERVER_PREFIX);

    private ProcessSettings() {
    }

    /**
     * @throws IllegalStateException one line naming each unknown system property and environment variable, as such,
     *                               with the key or variable it most likely meant; never a value
     */
    public static void check(Map<?, ?> systemProperties, Map<String, String> environment, Path secretsFile) {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeMap<>(strings(systemProperties)).keySet()) {
            if (key.startsWith("ferry.") && !PROPERTIES.contains(key) && ConfigKeys.find(key).isEmpty()) {
                problems.add("system property -D" + ConfigCheck.unknown(key, secretsFile));
            }
        }
        for (String variable : new TreeMap<>(environment).keySet()) {
            if (variable.startsWith("FERRY_") && !VARIABLES.contains(variable) && !isKeys(variable)) {
                Optional<String> retired = retiredKeyOf(variable);
                if (retired.isPresent()) {
                    problems.add("environment variable " + variable + " is no longer used (an earlier version read"
                            + " it): " + ConfigCheck.retired(retired.get()).orElseThrow());
                    continue;
                }
                problems.add("environment variable " + variable + " is not a key's variable" + nearest(variable)
                        .map(v -> ": did you mean " + v + "?")
                        .orElse(" (a key's is the key in upper case, . and - as _: FERRY_INBOX_UPLOAD for"
                                + " ferry.inbox.upload; every key is documented in the shipped"
                                + " config/application.properties): correct it or unset it"));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("configuration: " + String.join("; ", problems));
        }
    }

    private static Optional<String> retiredKeyOf(String variable) {
        return ConfigCheck.retiredKeys().stream().filter(k -> ConfigKeys.variable(k).equals(variable)).findFirst();
    }

    /**
     * A server's variable whose server does not exist (FERRY_SERVERS_PRD_PORT beside ferry.servers.prod.host) was not
     * read, and the profile it was meant for connected to its default port 21 quietly, perhaps another FTP server there.
     *
     * @param servers the profiles with a host (a variable alone cannot name one: FERRY_SERVERS_A_B_HOST is ambiguous)
     * @throws IllegalStateException naming each such variable and the profiles there are; never a value
     */
    public static void checkServers(Map<String, String> environment, Set<String> servers) {
        List<String> problems = new ArrayList<>();
        for (String variable : new TreeMap<>(environment).keySet()) {
            if (!variable.startsWith(SERVERS) || !isKeys(variable) || servers.stream().anyMatch(n -> isServers(n,
                    variable))) {
                continue;
            }
            problems.add("environment variable " + variable + " is a setting of a server profile that does not exist"
                    + " (a profile exists once ferry.servers.<name>.host is set in application.properties, an argument"
                    + " or -D; " + (servers.isEmpty() ? "none is" : "these are: " + String.join(", ", servers))
                    + "): correct the name or unset it");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("configuration: " + String.join("; ", problems));
        }
    }

    private static boolean isServers(String server, String variable) {
        String prefix = ConfigKeys.variable(ConfigKeys.SERVER_PREFIX + server + ".");
        if (!variable.startsWith(prefix)) {
            return false;
        }
        String rest = variable.substring(prefix.length());
        return ConfigKeys.all().stream().filter(ConfigKeys.Key::perServer)
                .anyMatch(k -> ConfigKeys.variable(serverSuffix(k)).equals(rest));
    }

    /** True when {@code variable} is a key's; a server's name may hold _ itself (FERRY_SERVERS_MY_BOX_PORT). */
    static boolean isKeys(String variable) {
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            if (!k.perServer()) {
                if (ConfigKeys.variable(k.name()).equals(variable)) {
                    return true;
                }
                continue;
            }
            String suffix = "_" + ConfigKeys.variable(serverSuffix(k));
            if (variable.startsWith(SERVERS) && variable.endsWith(suffix)
                    && variable.length() > SERVERS.length() + suffix.length()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The variable of the key {@code variable} most likely meant. Compared as keys, segment by segment
     * ({@link NearestKey}): the variable's _ read as dots, and a server's key with the name the variable gives it.
     */
    static Optional<String> nearest(String variable) {
        String guess = variable.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
        String[] segments = guess.split("\\.", -1);
        List<String> candidates = new ArrayList<>();
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            if (!k.perServer()) {
                candidates.add(dotted(k.name()));
                continue;
            }
            String suffix = dotted(serverSuffix(k));
            int nameEnd = segments.length - suffix.split("\\.").length;
            if (guess.startsWith("ferry.servers.") && nameEnd > 2) {
                candidates.add("ferry.servers." + String.join(".", List.of(segments).subList(2, nameEnd)) + "."
                        + suffix);
            }
        }
        return NearestKey.among(guess, candidates).map(ConfigKeys::variable);
    }

    /** {@code port} of {@code ferry.servers.<name>.port}. */
    private static String serverSuffix(ConfigKeys.Key k) {
        return k.name().substring(ConfigKeys.SERVER_PREFIX.length() + ConfigKeys.NAME.length() + 1);
    }

    /** A key as its variable reads back: every character but letters and digits a dot, lower case. */
    private static String dotted(String key) {
        return ConfigKeys.variable(key).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }

    private static Map<String, String> strings(Map<?, ?> map) {
        Map<String, String> m = new TreeMap<>();
        map.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
        return m;
    }
}
