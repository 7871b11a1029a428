package dev.ferry.service;

import dev.ferry.config.ConfigCheck;
import dev.ferry.config.ConfigKeys;
import dev.ferry.config.ProcessSettings;
import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.ledger.Leases;
import dev.ferry.plan.FileExist;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The service's configuration, resolved by Camel's {@link PropertiesComponent}: the one source the route files'
 * {@code {{ferry.<key>}}} placeholders, this class and the banner all read, so an override reaches all three alike.
 * {@link #initialProperties()} are the built-in defaults ({@link ConfigKeys}) under
 * {@code <config>/application.properties}; {@link #overrideProperties()} the {@code --ferry.<key>=value} arguments
 * (and a caller's overrides). Camel's usual order then applies to every key: an environment variable
 * ({@code FERRY_INBOX_UPLOAD}), then {@code -Dferry.inbox.upload}, then an argument, then the file, then the default.
 * camel-main is given the same two sets ({@link FerryService}), and once its context exists {@link #readFrom} makes
 * this class read through that context's own component.
 *
 * <p>Every {@code ferry.*} key in a file or argument must be one of {@link ConfigKeys} (a typo fails the start, naming
 * the key meant). Secrets come only from the environment ({@code FERRY_SERVERS_<NAME>_PASSWORD},
 * {@code FERRY_HTTP_TOKEN}, …), -D or {@code <config>/secrets.properties}, never from application.properties; they
 * are never part of what Camel is given.
 */
public final class FerrySettings {
    public static final String CONFIG_PROPERTY = "ferry.config";
    public static final String CONFIG_ENV = "FERRY_CONFIG";
    private static final Pattern SERVER_KEY = Pattern.compile("ferry\\.servers\\.([^.]+)\\.(.+)");
    /** ${ferry.<key>} in a value, as files written before Camel resolved them have it: read as {{ferry.<key>}}. */
    private static final Pattern OLD_PLACEHOLDER = Pattern.compile("\\$\\{(ferry\\.[^}]+)}");

    private final Path configDir;
    private final Path workDir;
    private final Properties initial;
    private final Properties overrides;
    private final Properties secrets;
    private final Function<String, String> env;
    /** The keys application.properties sets, to name it as where a value came from. */
    private final java.util.Set<String> fileKeys;
    private volatile PropertiesComponent camel;

    private FerrySettings(Path configDir, Path workDir, Properties initial, Properties overrides, Properties secrets,
                          Function<String, String> env, java.util.Set<String> fileKeys) {
        this.configDir = configDir;
        this.workDir = workDir;
        this.initial = initial;
        this.overrides = overrides;
        this.secrets = secrets;
        this.env = env;
        this.fileKeys = fileKeys;
        this.camel = bootstrap(initial, overrides);
    }

    /**
     * The service's own settings: the config folder ({@link #configDirFromEnvironment}), the {@code --ferry.<key>=}
     * arguments, and this process's {@code -Dferry.*} properties and {@code FERRY_*} variables checked as the file is
     * ({@link ProcessSettings}). Only for the service's own process: a JVM that embeds the service (the tests') may
     * carry -D settings of its own.
     */
    public static FerrySettings ofProcess(String... args) {
        Path configDir = configDirFromEnvironment();
        Map<String, String> overrides = arguments(args);
        ProcessSettings.check(System.getProperties(), System.getenv(), configDir.resolve("secrets.properties"));
        FerrySettings settings = load(configDir, overrides);
        ProcessSettings.checkServers(System.getenv(), settings.serverNames());
        return settings;
    }

    /** The configuration directory from -Dferry.config, FERRY_CONFIG, or {@code config} in the working directory. */
    public static Path configDirFromEnvironment() {
        return configDir(System.getProperty(CONFIG_PROPERTY), System.getenv(CONFIG_ENV));
    }

    /**
     * A folder given that is not there is refused: the service started on its defaults instead, with the demo FTP
     * server, and filed drops as done that went there. The default {@code config} may be missing (a jar run
     * elsewhere than the project's folder).
     */
    static Path configDir(String property, String variable) {
        boolean byProperty = property != null && !property.isBlank();
        String given = byProperty ? property : variable;
        if (given == null || given.isBlank()) {
            return Path.of("config").toAbsolutePath().normalize();
        }
        Path dir = Path.of(given).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException((byProperty ? "system property -D" + CONFIG_PROPERTY
                    : "environment variable " + CONFIG_ENV) + " = " + dir + (Files.exists(dir) ? " is not a folder"
                    : " does not exist") + ": give the folder that holds application.properties (and"
                    + " secrets.properties), or leave it unset for config/ in the working folder");
        }
        return dir;
    }

    public static FerrySettings load(Path configDir, Map<String, String> overrides) {
        return load(configDir, Path.of("").toAbsolutePath(), overrides, System::getenv);
    }

    static FerrySettings load(Path configDir, Path workDir, Map<String, String> overrides,
                              Function<String, String> env) {
        Properties p = new Properties();
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            if (!k.perServer() && !k.secret() && k.defaultValue() != null) {
                p.setProperty(k.name(), camelPlaceholders(k.defaultValue()));
            }
        }
        p.setProperty("camel.main.name", "ferry");
        p.setProperty("camel.main.routes-include-pattern", "file:routes/*.yaml");
        p.setProperty("camel.main.shutdown-timeout", "15");
        // A seda consumer notices a stop only when its poll times out, and the routes stop one after another: at
        // Camel's 1 s an idle service took 2.7-4.2 s to stop (four seda routes), at 100 ms it takes well under 1 s.
        p.setProperty("camel.component.seda.default-poll-timeout", "100");
        Path file = configDir.resolve("application.properties");
        Path secretFile = configDir.resolve("secrets.properties");
        java.util.Set<String> fileKeys = new java.util.HashSet<>();
        if (Files.isRegularFile(file)) {
            Properties fromFile = new Properties();
            read(file, fromFile);
            ConfigCheck.applicationFile(file, fromFile, secretFile);
            fromFile.forEach((k, v) -> p.setProperty(((String) k).trim(), camelPlaceholders(((String) v).trim())));
            fromFile.stringPropertyNames().forEach(k -> fileKeys.add(k.trim()));
        }
        Properties secrets = new Properties();
        if (Files.isRegularFile(secretFile)) {
            read(secretFile, secrets);
            ConfigCheck.secretsFile(secretFile, secrets, file);
        }
        // A secret given as -D joins the secrets, above secrets.properties. Other -D keys Camel reads itself.
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("ferry.") && ConfigKeys.secretLike(key)) {
                secrets.setProperty(key, System.getProperty(key));
            }
        }
        ConfigCheck.overrides(overrides, secretFile);
        Properties camelOverrides = new Properties();
        overrides.forEach((key, value) -> (ConfigKeys.secretLike(key) ? secrets : camelOverrides)
                .setProperty(key, value));
        return new FerrySettings(configDir, workDir, p, camelOverrides, secrets, env, fileKeys);
    }

    /**
     * The {@code --ferry.<key>=value} arguments of the service's command line as overrides; anything else is refused
     * (the service takes no other arguments).
     */
    public static Map<String, String> arguments(String... args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new IllegalArgumentException("'" + arg + "': the service takes settings as --ferry.<key>=value"
                        + " (e.g. --ferry.inbox.upload=/srv/drop)");
            }
            m.put(arg.substring(2, eq).trim(), arg.substring(eq + 1));
        }
        return m;
    }

    private static String camelPlaceholders(String value) {
        return OLD_PLACEHOLDER.matcher(value).replaceAll("{{$1}}");
    }

    /**
     * Before camel-main has built its context: a component of a context of its own, given the same properties and
     * Camel's default modes, so what it resolves is what the routes will.
     */
    private static PropertiesComponent bootstrap(Properties initial, Properties overrides) {
        DefaultCamelContext context = new DefaultCamelContext(false);
        // Lookups convert each value with the context's type converter, which exists once the context is built.
        context.build();
        PropertiesComponent pc = context.getPropertiesComponent();
        pc.setInitialProperties(initial);
        pc.setOverrideProperties(overrides);
        return pc;
    }

    /**
     * From now on resolves through {@code context}'s own properties component (camel-main's, configured with
     * {@link #initialProperties()} and {@link #overrideProperties()}).
     */
    public void readFrom(CamelContext context) {
        this.camel = context.getPropertiesComponent();
    }

    private static void read(Path file, Properties into) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            into.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private Path path(String value) {
        return workDir.resolve(value).toAbsolutePath().normalize();
    }

    /** Defaults and application.properties (no secret): camel-main's initial properties. */
    public Properties initialProperties() {
        return initial;
    }

    /** The --ferry.<key>= arguments (no secret): camel-main's override properties. */
    public Properties overrideProperties() {
        return overrides;
    }

    /** Everything Camel is given (no secret). */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(initial);
        copy.putAll(overrides);
        return copy;
    }

    /** The key as Camel resolves it ({{key}} in a route), or null when it has no value. */
    public String get(String key) {
        try {
            return camel.resolveProperty(key).orElse(null);
        } catch (IllegalArgumentException e) {
            // A value naming a missing key ({{ferry.<key>}} inside it).
            throw new IllegalStateException("configuration key " + key + ": " + e.getMessage(), e);
        }
    }

    public String get(String key, String fallback) {
        String v = get(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public int getInt(String key, int fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("configuration key " + key + " = '" + v + "' is not a whole number");
        }
    }

    public Path configDir() {
        return configDir;
    }

    /**
     * Where {@code key}'s value comes from, in Camel's order (an environment variable, -D, an argument,
     * application.properties, the default), for a line that tells the user what to change.
     */
    public String origin(String key) {
        String variable = ConfigKeys.variable(key);
        if (env.apply(variable) != null) {
            return "environment variable " + variable;
        }
        if (System.getProperty(key) != null) {
            return "system property -D" + key;
        }
        if (overrides.containsKey(key)) {
            return "argument --" + key;
        }
        return fileKeys.contains(key) ? configDir.resolve("application.properties").toString() : "default";
    }

    /** Relative to the working directory, as the route's file: endpoints read it. */
    public Path dataDir() { return path(get("ferry.data-dir")); }
    /** The folder the upload route polls ({{ferry.inbox.upload}}). */
    public Path uploadInbox() { return path(get("ferry.inbox.upload")); }
    public Path requestInbox() { return path(get("ferry.inbox.requests")); }
    public Path downloadDir() { return path(get("ferry.download-dir")); }
    public Path demoRoot() { return path(get("ferry.demo.root")); }

    /** ferry.node-id: this node's name in a shared ledger; by default the host name and a hash of the data dir. */
    public String nodeId() {
        return get("ferry.node-id", Leases.defaultNodeId(dataDir()));
    }

    /** ferry.cluster.lease-seconds: how long a node's claim on a transfer lasts without renewal. */
    public int leaseSeconds() {
        return getInt("ferry.cluster.lease-seconds", 30);
    }

    /**
     * ferry.cluster.inbox: {@code local} (default), this service holds its inboxes alone and refuses to share them;
     * {@code master}, the inboxes are on storage several nodes share and one elected node at a time takes them.
     */
    public boolean inboxElected() {
        String v = get("ferry.cluster.inbox", "local").trim();
        if (v.equalsIgnoreCase("master")) {
            if (!sharedStorage()) {
                // Without it no node may continue another's upload, so a drop the dead leader had begun would wait
                // for that node forever, while the new leader holds its file.
                throw new IllegalStateException("ferry.cluster.inbox = master shares the inboxes, so they are on"
                        + " storage every node sees: set ferry.cluster.shared-storage = true as well");
            }
            if (get("ferry.ledger.url", null) == null) {
                // The election is held in the ledger: in each node's own embedded one, every node would win it.
                throw new IllegalStateException("ferry.cluster.inbox = master elects the node that takes the inboxes"
                        + " in the ledger the nodes share: set ferry.ledger.url to it (PostgreSQL) as well");
            }
            return true;
        }
        if (v.equalsIgnoreCase("local")) {
            return false;
        }
        throw new IllegalStateException("configuration key ferry.cluster.inbox = '" + v + "': use local (one service"
                + " per inbox) or master (nodes sharing the inbox folders elect one that takes them)");
    }

    /** ferry.cluster.shared-storage: every node sees the same data dir, so takeovers continue from its files. */
    public boolean sharedStorage() {
        String v = get("ferry.cluster.shared-storage", "false").trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalStateException("configuration key ferry.cluster.shared-storage = '" + v + "': use true"
                    + " or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** ferry.file-exist: what a transfer does when its final name is taken (default Fail). */
    public FileExist fileExist() {
        String v = get("ferry.file-exist", "Fail");
        try {
            return FileExist.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("configuration key ferry.file-exist = '" + v + "': use Fail, Override,"
                    + " Ignore or TryRename");
        }
    }

    /** ferry.inbox.follow-links: upload what a dropped symbolic link points to, instead of refusing it. */
    public boolean inboxFollowLinks() {
        String v = get("ferry.inbox.follow-links", "false").toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalStateException("configuration key ferry.inbox.follow-links = '" + v + "': use true or"
                    + " false");
        }
        return Boolean.parseBoolean(v);
    }

    /**
     * The names of the configured server profiles (those with a host): in the file, the arguments or -D. A server
     * given only by environment variables cannot be named (FERRY_SERVERS_A_B_HOST is ambiguous); its host key must be
     * in one of those.
     */
    public TreeSet<String> serverNames() {
        TreeSet<String> names = new TreeSet<>();
        java.util.Set<String> keys = new java.util.HashSet<>(properties().stringPropertyNames());
        keys.addAll(System.getProperties().stringPropertyNames());
        for (String key : keys) {
            Matcher m = SERVER_KEY.matcher(key);
            if (m.matches() && m.group(2).equals("host") && get(key) != null) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * Refuses, in one line naming each key, values that would be misread later, where they would fail without naming
     * the key (a stack trace at start, a 500 from the API) or quietly mean something else: a number out of range or
     * not a number (a time-out of 0 waits for ever), a flag that is not true or false, and a server profile's keys
     * without its host, which made the profile not exist (drops then went to the demo server); and where a setting
     * points that cannot be right ({@link Locations}).
     *
     * @throws IllegalStateException naming every such key and what it must be
     */
    public void checkValues() {
        List<String> problems = new ArrayList<>();
        TreeSet<String> servers = serverNames();
        java.util.Set<String> keys = new TreeSet<>(properties().stringPropertyNames());
        keys.addAll(System.getProperties().stringPropertyNames());
        keys.addAll(secrets.stringPropertyNames());
        Map<String, List<String>> headless = new java.util.TreeMap<>();
        for (String key : keys) {
            Matcher m = SERVER_KEY.matcher(key);
            if (m.matches() && !servers.contains(m.group(1))) {
                headless.computeIfAbsent(m.group(1), n -> new ArrayList<>()).add(key);
            }
        }
        headless.forEach((name, named) -> problems.add("server profile '" + name + "' has " + String.join(", ", named)
                + " but no ferry.servers." + name + ".host, so it does not exist: give it its host, or remove its"
                + " keys"));
        for (ConfigKeys.Key k : ConfigKeys.all()) {
            if (k.min() == null && !k.flag()) {
                continue;
            }
            for (String key : k.perServer() ? servers.stream().map(k::forServer).toList() : List.of(k.name())) {
                String v = get(key);
                String problem = v == null || v.isBlank() ? null : k.problem(v);
                if (problem != null) {
                    problems.add(key + " = '" + v + "' " + problem + " (" + k.doc() + ")");
                }
            }
        }
        for (String name : servers) {
            String host = get(ConfigKeys.SERVER_PREFIX + name + ".host");
            if (host != null) {
                addIfAny(problems, Locations.host(name, host, origin(ConfigKeys.SERVER_PREFIX + name + ".host"),
                        configDir.resolve("secrets.properties")));
            }
            String storeKey = ConfigKeys.SERVER_PREFIX + name + ".trust-store";
            String store = get(storeKey, null);
            if (store != null) {
                addIfAny(problems, Locations.store(storeKey, path(store), origin(storeKey)));
            }
        }
        String ledger = get("ferry.ledger.url", null);
        if (ledger != null) {
            addIfAny(problems, Locations.ledgerUrl(ledger, origin("ferry.ledger.url")));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("configuration: " + String.join("; ", problems));
        }
    }

    private static void addIfAny(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    /** Remote base directory per server (ferry.servers.NAME.remote-dir). */
    public Map<String, String> remoteDirs() {
        Map<String, String> dirs = new LinkedHashMap<>();
        for (String name : serverNames()) {
            String dir = get("ferry.servers." + name + ".remote-dir", null);
            if (dir != null) {
                dirs.put(name, dir);
            }
        }
        return dirs;
    }

    public ServerProfile server(String name) {
        String k = "ferry.servers." + name + ".";
        ServerProfile.Builder b = ServerProfile.builder(name).host(get(k + "host"));
        try {
            b.port(getInt(k + "port", 21));
            b.user(get(k + "user", "anonymous"));
            b.password(password(name));
            String tls = get(k + "tls", "none").toLowerCase(Locale.ROOT);
            b.tls(switch (tls) {
                case "none", "false", "off" -> TlsMode.NONE;
                case "explicit", "true", "on", "ftps" -> TlsMode.EXPLICIT;
                default -> throw new IllegalStateException(k + "tls = '" + tls + "': use none or explicit");
            });
            String trust = get(k + "trust-store", null);
            if (trust != null) {
                b.trustStore(path(trust));
                b.trustStorePassword(secret(name, "trust-store-password"));
            }
            b.epsv(Boolean.parseBoolean(get(k + "epsv", "true").trim()));
            String charset = get(k + "fallback-charset", null);
            if (charset != null) {
                b.fallbackCharset(Charset.forName(charset));
            }
            // Unset, a server may take as many connections as one transfer may grow to: a cap of its own below that
            // would stop every adaptive transfer at it. A server that takes fewer says so (421), and the pool lowers
            // and remembers its cap for all transfers; a limit the operator set is kept as it is.
            b.connectionLimit(getInt(k + "connection-limit", getInt("ferry.segments.max", 16)));
            b.connectTimeout(Duration.ofSeconds(getInt(k + "connect-timeout", 10)));
            b.soTimeout(Duration.ofSeconds(getInt(k + "so-timeout", 30)));
            b.dataTimeout(Duration.ofSeconds(getInt(k + "data-timeout", 30)));
            b.outageWait(Duration.ofSeconds(getInt(k + "outage-wait", 600)));
            b.uploadStrategy(UploadStrategy.valueOf(get(k + "upload-strategy", "AUTO").toUpperCase(Locale.ROOT)));
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("server profile " + name + " in " + configDir.resolve(
                    "application.properties") + ": " + e.getMessage(), e);
        }
    }

    private Secret password(String name) {
        return secret(name, "password");
    }

    private Secret secret(String name, String what) {
        return Secret.of(secret("ferry.servers." + name + "." + what));
    }

    /**
     * A secret ({@code ferry.http.token}, {@code ferry.ledger.password}, a server's password): from its environment
     * variable ({@link ConfigKeys#variable}, e.g. FERRY_LEDGER_PASSWORD), else -D, else secrets.properties; null if
     * none. Never logged, never in {@link #properties()}.
     */
    public String secret(String key) {
        String v = env.apply(ConfigKeys.variable(key));
        return v == null || v.isEmpty() ? secrets.getProperty(key) : v;
    }

    /** {@link #get(String)}, or {@link #secret(String)} for a secret key: for readers that take both from one place. */
    public String lookup(String key) {
        return ConfigKeys.secretLike(key) ? secret(key) : get(key);
    }

    public static String passwordVariable(String serverName) {
        return ConfigKeys.variable("ferry.servers." + serverName + ".password");
    }
}
