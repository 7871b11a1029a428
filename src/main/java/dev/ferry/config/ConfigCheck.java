package dev.ferry.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Refuses a configuration file that would be quietly misread: an unknown {@code ferry.*} key (a typo such as
 * {@code ferry.servers.x.prot} would otherwise connect to port 21), a secret in {@code application.properties}
 * (a file that is shared, committed and printed), and an ordinary key in {@code secrets.properties} (where it would
 * be ignored). Every problem is named in one line with what to do instead.
 */
public final class ConfigCheck {
    /** A value that reads the secret from elsewhere, as Camel resolves it: {{env:X}}, ${env:X}, {{x}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("^(\\$\\{[^}]+}|\\{\\{[^}]+}})$");

    private ConfigCheck() {
    }

    /**
     * {@code application.properties}: every {@code ferry.*} key is known and none holds a secret; other keys (Camel's)
     * may name a secret only through a placeholder.
     *
     * @throws IllegalStateException one line naming the file, each bad key and where it belongs
     */
    public static void applicationFile(Path file, Map<?, ?> entries, Path secretsFile) {
        List<String> problems = new ArrayList<>();
        sorted(entries).forEach((key, value) -> {
            if (!key.startsWith("ferry.")) {
                if (ConfigKeys.secretLike(key) && !value.isBlank() && !PLACEHOLDER.matcher(value.trim()).matches()) {
                    problems.add(key + " holds a secret: read it from the environment with {{env:NAME}} instead");
                }
                return;
            }
            Optional<ConfigKeys.Key> known = ConfigKeys.find(key);
            if (known.isEmpty()) {
                String line = unknown(key, secretsFile);
                if (ConfigKeys.secretLike(key) && ConfigKeys.nearest(key).isEmpty()) {
                    line += "; and a secret never goes in this file (use the environment or " + secretsFile + ")";
                }
                problems.add(line);
            } else if (known.get().secret()) {
                problems.add(key + " is a secret and is refused here: " + whereSecretsGo(key, secretsFile));
            }
        });
        fail(file, problems);
    }

    /** {@code secrets.properties}: every key known, and a secret (anything else belongs in application.properties). */
    public static void secretsFile(Path file, Map<?, ?> entries, Path applicationFile) {
        List<String> problems = new ArrayList<>();
        sorted(entries).forEach((key, value) -> {
            if (!key.startsWith("ferry.")) {
                return;
            }
            Optional<ConfigKeys.Key> known = ConfigKeys.find(key);
            if (known.isEmpty()) {
                problems.add(unknown(key, file));
            } else if (!known.get().secret()) {
                problems.add(key + " is not a secret and would be ignored here: put it in " + applicationFile);
            }
        });
        fail(file, problems);
    }

    /** Keys given in code (tests, embedding): known ones only. */
    public static void overrides(Map<String, String> entries, Path secretsFile) {
        List<String> problems = new ArrayList<>();
        sorted(entries).forEach((key, value) -> {
            if (key.startsWith("ferry.") && ConfigKeys.find(key).isEmpty()) {
                problems.add(unknown(key, secretsFile));
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("configuration: " + String.join("; ", problems));
        }
    }

    /**
     * Keys an earlier version read and this one does not, with what took their place. An upgrade keeps its
     * configuration, and "not a known key" alone did not say whether the key was mistyped or gone, nor what replaces
     * it.
     */
    private static final Map<String, String> RETIRED = Map.of(
            "ferry.cluster.inbox-lock-dir", "the nodes with ferry.cluster.inbox = master now elect the one that takes"
                    + " the shared inboxes in the shared ledger (ferry.ledger.url), with no lock file; remove the key");

    /** What replaced {@code key}, if an earlier version read it and this one does not. */
    static Optional<String> retired(String key) {
        return Optional.ofNullable(RETIRED.get(key));
    }

    static java.util.Set<String> retiredKeys() {
        return RETIRED.keySet();
    }

    static String unknown(String key, Path secretsFile) {
        Optional<String> retired = retired(key);
        if (retired.isPresent()) {
            return key + " is no longer used (an earlier version read it): " + retired.get();
        }
        String line = key + " is not a known key";
        if (key.startsWith(ConfigKeys.SERVER_PREFIX) && key.split("\\.", -1).length == 3) {
            return line + " (a server's keys are ferry.servers.<name>.<key>, e.g. ferry.servers.reports.host)";
        }
        Optional<String> near = ConfigKeys.nearest(key);
        if (near.isEmpty()) {
            return line + " (every key is documented in the shipped config/application.properties)";
        }
        line += ": did you mean " + near.get() + "?";
        if (ConfigKeys.secretLike(near.get())) {
            line += " That is a secret: " + whereSecretsGo(near.get(), secretsFile);
        }
        return line;
    }

    private static String whereSecretsGo(String key, Path secretsFile) {
        return "set " + ConfigKeys.variable(key) + " in the environment or put " + key + " in " + secretsFile;
    }

    private static void fail(Path file, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException(file + ": " + String.join("; ", problems));
        }
    }

    private static TreeMap<String, String> sorted(Map<?, ?> entries) {
        TreeMap<String, String> m = new TreeMap<>();
        entries.forEach((k, v) -> m.put(String.valueOf(k).trim(), String.valueOf(v)));
        return m;
    }
}
