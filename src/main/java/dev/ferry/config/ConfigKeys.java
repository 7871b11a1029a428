package dev.ferry.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every {@code ferry.*} key the service reads, with its default and what it does: the one list that unknown keys are
 * checked against and typos are matched to. {@code config/application.properties} documents the same keys (a test
 * keeps the two in step); secrets are documented in {@code config/secrets.properties.example}.
 */
public final class ConfigKeys {
    /** Per-server keys are {@code ferry.servers.<name>.<key>}; the name is one segment (no dot). */
    public static final String SERVER_PREFIX = "ferry.servers.";
    public static final String NAME = "<name>";
    /** A last segment like these names a secret, known key or not. */
    /** Without a broker, a queue request that cannot be done is logged with its body (after the reason). */
    public static final String DEAD_LETTER_LOG = "log:dev.ferry.dead-letter?level=WARN&showBody=true"
            + "&showHeaders=false&showBodyType=false&showExchangePattern=false";
    private static final Pattern SECRET_WORD = Pattern.compile("(?i).*(password|passwd|secret|token|passphrase).*");

    /**
     * One key.
     *
     * @param name         the key; per-server keys hold {@value #NAME} in place of the server's name
     * @param defaultValue the value when unset, null when there is none (or it is derived at start)
     * @param doc          what it does, one line
     * @param secret       true: only from the environment, -D or secrets.properties, never application.properties
     */
    public record Key(String name, String defaultValue, String doc, boolean secret, Long min, long max,
                      boolean flag) {
        /**
         * What is wrong with {@code value} for this key, or null: digits (a whole number from {@link #min} to
         * {@link #max}) where it has a least value, {@code true} or {@code false} for a {@link #flag}. Nothing around
         * them, no sign: routes put the text itself into endpoint URIs ({@code {{ferry.inbox.batch-lanes}}}), where
         * Camel read {@code +4} or {@code " 4"} as 0. Other values are the reader's to judge.
         */
        public String problem(String value) {
            if (flag && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                return "must be true or false";
            }
            if (min != null) {
                String range = min + " to " + max;
                if (!value.matches("-?\\d{1,19}")) {
                    return "must be a whole number from " + range + ", digits only";
                }
                long n;
                try {
                    n = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return "must be a whole number from " + range;
                }
                if (n < min || n > max) {
                    return "must be a whole number from " + range;
                }
            }
            return null;
        }

        public boolean perServer() {
            return name.startsWith(SERVER_PREFIX);
        }

        /** The key for one server ({@code ferry.servers.reports.port}); other keys as they are. */
        public String forServer(String server) {
            return name.replace(NAME, server);
        }
    }

    private static final List<Key> KEYS = List.of(
            key("ferry.data-dir", "data", "ledger (H2), events.jsonl, and the default home of the folders"),
            key("ferry.inbox.upload", "{{ferry.data-dir}}/inbox/upload", "files dropped here are uploaded"),
            key("ferry.inbox.requests", "{{ferry.data-dir}}/inbox/requests", "JSON download requests dropped here"),
            key("ferry.download-dir", "{{ferry.data-dir}}/downloads", "where downloads appear"),
            count("ferry.inbox.read-lock-min-age", "100", 0,
                    "milliseconds a drop must stay unchanged before it is taken"),
            count("ferry.inbox.poll-millis", "50", 1, "milliseconds between two looks into each inbox"),
            count("ferry.inbox.parallel-transfers", "4", 1, "transfers from one inbox at the same time"),
            bytes("ferry.inbox.batch-max-bytes", "1048576", 0, "drops up to this size travel in batches"),
            count("ferry.inbox.batch-lanes", "8", 1,
                    "batches of small drops sent at the same time, one connection each"),
            flag("ferry.inbox.follow-links", "false",
                    "true: a symbolic link dropped into the upload inbox is followed"),
            key("ferry.file-exist", "Fail", "a target that exists already: Fail, Override, Ignore or TryRename"),
            key("ferry.queue.requests", "seda:ferry-requests", "Camel endpoint that delivers JSON requests"),
            key("ferry.queue.dead-letter", DEAD_LETTER_LOG, "where queue requests that cannot be done go, with the"
                    + " reason"),
            key("ferry.events.endpoint", "seda:ferry-events", "where progress events go as JSON"),
            count("ferry.segment-threads", "16", 1, "threads that move segments, shared by all transfers"),
            count("ferry.segments.max", "16", 1, "most connections one transfer grows to when its request does not fix"
                    + " its segments (the server's connection-limit caps it too)"),
            count("ferry.transfer-consumers", "4", 1, "queued and recovered transfers at the same time"),
            key("ferry.default-server", null, "server for drops and requests that name none"),
            flag("ferry.http.enabled", "true", "false: no status page, API or health endpoint"),
            key("ferry.http.host", "127.0.0.1", "address the HTTP endpoint binds"),
            count("ferry.http.port", "8080", 0, "port of the HTTP endpoint"),
            secret("ferry.http.token", "bearer token for the API and /observe (at least 16 characters)"),
            count("ferry.http.health-interval", "30", 1, "seconds between background health checks"),
            count("ferry.http.health-timeout", "15", 1, "seconds one health check may take"),
            count("ferry.http.recent", "25", 1, "finished transfers the page and API list"),
            count("ferry.http.idle-timeout", "60", 1, "seconds an HTTP connection may stay idle, or a request's body"
                    + " take to arrive, before it is closed"),
            key("ferry.ledger.url", null, "JDBC URL of a shared ledger (default: H2 in the data folder)"),
            key("ferry.ledger.user", null, "user of the shared ledger"),
            secret("ferry.ledger.password", "password of the shared ledger"),
            count("ferry.ledger.keep-days", "30", 0, "days a published transfer (and a folder run that ended DONE)"
                    + " stays in the ledger, listed by the API and answering a repeated request at once; 0 keeps them"
                    + " for ever"),
            key("ferry.node-id", null, "this node's name in a shared ledger (default: host name and a hash of the data dir)"),
            count("ferry.cluster.lease-seconds", "30", 1, "seconds a node's claim on a transfer lasts without renewal"),
            key("ferry.cluster.inbox", "local", "local: this service holds its inboxes alone; master: nodes sharing"
                    + " the inbox folders and the ledger elect one that takes them, another takes over when it dies"
                    + " or freezes"),
            flag("ferry.cluster.shared-storage", "false",
                    "true: every node sees the same data dir, so a taken-over transfer continues from its files"),
            key("ferry.broker.url", null, "RabbitMQ as amqp://host:port/virtual-host, without a password"),
            key("ferry.broker.host", null, "RabbitMQ's address (instead of ferry.broker.url)"),
            count("ferry.broker.port", "5672", 1, "RabbitMQ's AMQP port"),
            key("ferry.broker.virtual-host", null, "RabbitMQ virtual host (default: the broker's, /)"),
            key("ferry.broker.user", null, "RabbitMQ user"),
            secret("ferry.broker.password", "RabbitMQ password"),
            count("ferry.broker.prefetch", null, 1,
                    "queued transfers a node runs or has waiting before it takes another"
                    + " request (default: ferry.transfer-consumers)"),
            key("ferry.demo.host", "127.0.0.1", "address of the demo FTP server"),
            count("ferry.demo.port", "2121", 0, "port of the demo FTP server"),
            key("ferry.demo.root", "{{ferry.data-dir}}/ftp-root", "folder the demo FTP server serves"),
            server("host", null, "the server's address; a server block exists when it has a host"),
            serverCount("port", "21", 1, "the server's control port"),
            server("user", "anonymous", "login name"),
            secret(SERVER_PREFIX + NAME + ".password", "login password"),
            server("tls", "none", "none or explicit (FTPS: AUTH TLS, PROT P)"),
            server("trust-store", null, "PKCS12 trust store for FTPS"),
            secret(SERVER_PREFIX + NAME + ".trust-store-password", "password of the trust store"),
            new Key(SERVER_PREFIX + NAME + ".epsv", "true", "false: passive mode with PASV instead of EPSV", false,
                    null, 0, true),
            server("fallback-charset", null, "charset for names when the server does not speak UTF-8"),
            serverCount("connection-limit", "{{ferry.segments.max}}", 1,
                    "most connections to this server at once, across all transfers (lowered and remembered when the"
                    + " server answers 421)"),
            serverCount("connect-timeout", "10", 1, "seconds to connect"),
            serverCount("so-timeout", "30", 1, "seconds a control reply may take"),
            serverCount("data-timeout", "30", 1, "seconds a data connection may stall"),
            server("upload-strategy", "AUTO", "AUTO, PARALLEL, SEQUENTIAL or RESTART"),
            server("remote-dir", null, "where dropped files go on this server"),
            serverCount("outage-wait", "600", 0, "seconds a transfer waits for the server to come back (a queued"
                    + " one waits aside, holding no worker)"));

    private ConfigKeys() {
    }

    private static Key key(String name, String defaultValue, String doc) {
        return new Key(name, defaultValue, doc, false, null, 0, false);
    }

    /** A whole number of at least {@code min}, read as an int. */
    private static Key count(String name, String defaultValue, long min, String doc) {
        return new Key(name, defaultValue, doc, false, min, Integer.MAX_VALUE, false);
    }

    /** A whole number of at least {@code min}, read as a long (bytes). */
    private static Key bytes(String name, String defaultValue, long min, String doc) {
        return new Key(name, defaultValue, doc, false, min, Long.MAX_VALUE, false);
    }

    /** true or false. */
    private static Key flag(String name, String defaultValue, String doc) {
        return new Key(name, defaultValue, doc, false, null, 0, true);
    }

    private static Key secret(String name, String doc) {
        return new Key(name, null, doc, true, null, 0, false);
    }

    private static Key server(String suffix, String defaultValue, String doc) {
        return key(SERVER_PREFIX + NAME + "." + suffix, defaultValue, doc);
    }

    private static Key serverCount(String suffix, String defaultValue, long min, String doc) {
        return count(SERVER_PREFIX + NAME + "." + suffix, defaultValue, min, doc);
    }

    public static List<Key> all() {
        return KEYS;
    }

    /** The registered key that {@code key} is (a per-server key for any one-segment name), if any. */
    public static Optional<Key> find(String key) {
        String server = serverName(key);
        for (Key k : KEYS) {
            if (k.perServer() ? server != null && k.forServer(server).equals(key) : k.name().equals(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** True for a registered secret, and for any key whose last segment says password, secret, token or the like. */
    public static boolean secretLike(String key) {
        return find(key).map(Key::secret).orElse(false)
                || SECRET_WORD.matcher(key.substring(key.lastIndexOf('.') + 1)).matches();
    }

    /** The environment variable of a key: upper case, every other character as _ (FERRY_SERVERS_MY_BOX_PASSWORD). */
    public static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The known key {@code key} most likely meant, when it is a typo of one (with the user's server name). */
    public static Optional<String> nearest(String key) {
        String[] segments = key.split("\\.", -1);
        // Per-server keys are matched with the name the user wrote, so only the mistyped segments count.
        String server = segments.length >= 4 ? segments[2] : NAME;
        List<String> names = new ArrayList<>();
        for (Key k : KEYS) {
            names.add(k.forServer(server));
        }
        return NearestKey.among(key, names);
    }

    /** The server name in {@code ferry.servers.<name>.<key>}, else null. */
    private static String serverName(String key) {
        if (!key.startsWith(SERVER_PREFIX)) {
            return null;
        }
        int dot = key.indexOf('.', SERVER_PREFIX.length());
        return dot > SERVER_PREFIX.length() ? key.substring(SERVER_PREFIX.length(), dot) : null;
    }
}
