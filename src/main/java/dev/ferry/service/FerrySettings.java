package dev.ferry.service;

import dev.ferry.config.ConfigCheck;
import dev.ferry.config.ConfigKeys;
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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's configuration: {@code <config>/application.properties} (Camel's {@code camel.main.*} keys and
 * Ferry's {@code ferry.*} keys), with {@code -Dferry.*} system properties and the caller's overrides on top, and the
 * built-in defaults below. Every {@code ferry.*} key in a file must be one of {@link ConfigKeys} (a typo fails the
 * start, naming the key meant). Secrets come only from the environment ({@code FERRY_SERVERS_<NAME>_PASSWORD},
 * {@code FERRY_HTTP_TOKEN}, …), -D or {@code <config>/secrets.properties}, never from application.properties; they
 * are never part of {@link #properties()}, which Camel sees.
 */
public final class FerrySettings {
    public static final String CONFIG_PROPERTY = "ferry.config";
    public static final String CONFIG_ENV = "FERRY_CONFIG";
    private static final Pattern SERVER_KEY = Pattern.compile("ferry\\.servers\\.([^.]+)\\.(.+)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private final Path configDir;
    private final Path workDir;
    private final Properties properties;
    private final Properties secrets;
    private final Function<String, String> env;

    private FerrySettings(Path configDir, Path workDir, Properties properties, Properties secrets,
                          Function<String, String> env) {
        this.configDir = configDir;
        this.workDir = workDir;
        this.properties = properties;
        this.secrets = secrets;
        this.env = env;
    }

    /** The configuration directory from -Dferry.config, FERRY_CONFIG, or {@code config} in the working directory. */
    public static Path configDirFromEnvironment() {
        String dir = System.getProperty(CONFIG_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(CONFIG_ENV);
        }
        return Path.of(dir == null || dir.isBlank() ? "config" : dir).toAbsolutePath().normalize();
    }

    public static FerrySettings load(Path configDir, Map<String, String> overrides) {
        return load(configDir, Path.of("").toAbsolutePath(), overrides, System::getenv);
    }

    static FerrySettings load(Path configDir, Path workDir, Map<String, String> overrides,
                              Function<String, String> env) {
        Properties p = new Properties();
        p.setProperty("ferry.data-dir", "data");
        p.setProperty("ferry.inbox.upload", "${ferry.data-dir}/inbox/upload");
        p.setProperty("ferry.inbox.requests", "${ferry.data-dir}/inbox/requests");
        p.setProperty("ferry.download-dir", "${ferry.data-dir}/downloads");
        p.setProperty("ferry.queue.requests", "seda:ferry-requests");
        p.setProperty("ferry.queue.dead-letter", ConfigKeys.DEAD_LETTER_LOG);
        p.setProperty("ferry.events.endpoint", "seda:ferry-events");
        p.setProperty("ferry.segment-threads", "16");
        p.setProperty("ferry.transfer-consumers", "4");
        p.setProperty("ferry.demo.host", "127.0.0.1");
        p.setProperty("ferry.demo.port", "2121");
        p.setProperty("ferry.demo.root", "${ferry.data-dir}/ftp-root");
        p.setProperty("camel.main.name", "ferry");
        p.setProperty("camel.main.routes-include-pattern", "file:routes/*.yaml");
        Path file = configDir.resolve("application.properties");
        Path secretFile = configDir.resolve("secrets.properties");
        if (Files.isRegularFile(file)) {
            Properties fromFile = new Properties();
            read(file, fromFile);
            ConfigCheck.applicationFile(file, fromFile, secretFile);
            p.putAll(fromFile);
        }
        Properties secrets = new Properties();
        if (Files.isRegularFile(secretFile)) {
            read(secretFile, secrets);
            ConfigCheck.secretsFile(secretFile, secrets, file);
        }
        // -D keys are not checked: a JVM may carry ferry.* properties of its own (tests, ferry.config). A secret
        // given as -D joins the secrets, above secrets.properties and out of what Camel sees.
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("ferry.") && !key.equals(CONFIG_PROPERTY)) {
                (ConfigKeys.secretLike(key) ? secrets : p).setProperty(key, System.getProperty(key));
            }
        }
        ConfigCheck.overrides(overrides, secretFile);
        overrides.forEach((key, value) -> (ConfigKeys.secretLike(key) ? secrets : p).setProperty(key, value));
        FerrySettings settings = new FerrySettings(configDir, workDir, p, secrets, env);
        settings.resolvePlaceholders();
        return settings;
    }

    private static void read(Path file, Properties into) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            into.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** ${ferry.data-dir} and friends inside ferry.* values, so Camel and Java see the same paths. */
    private void resolvePlaceholders() {
        for (int round = 0; round < 5; round++) {
            for (String key : properties.stringPropertyNames()) {
                String v = properties.getProperty(key);
                Matcher m = PLACEHOLDER.matcher(v);
                StringBuilder b = new StringBuilder();
                while (m.find()) {
                    String ref = properties.getProperty(m.group(1));
                    m.appendReplacement(b, Matcher.quoteReplacement(ref != null ? ref : m.group()));
                }
                m.appendTail(b);
                properties.setProperty(key, b.toString());
            }
        }
        // Directories as absolute paths: route files and Java then agree whatever the working directory is later.
        for (String key : new String[] {"ferry.data-dir", "ferry.inbox.upload", "ferry.inbox.requests",
                "ferry.download-dir", "ferry.demo.root"}) {
            properties.setProperty(key, path(properties.getProperty(key)).toString());
        }
    }

    private Path path(String value) {
        return workDir.resolve(value).toAbsolutePath().normalize();
    }

    /** Everything Camel may see (no secret): the placeholders of the route files. */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    public String get(String key) {
        return properties.getProperty(key);
    }

    public String get(String key, String fallback) {
        String v = properties.getProperty(key);
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

    public Path dataDir() { return Path.of(get("ferry.data-dir")); }
    public Path uploadInbox() { return Path.of(get("ferry.inbox.upload")); }
    public Path requestInbox() { return Path.of(get("ferry.inbox.requests")); }
    public Path downloadDir() { return Path.of(get("ferry.download-dir")); }
    public Path demoRoot() { return Path.of(get("ferry.demo.root")); }

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
            return true;
        }
        if (v.equalsIgnoreCase("local")) {
            return false;
        }
        throw new IllegalStateException("configuration key ferry.cluster.inbox = '" + v + "': use local (one service"
                + " per inbox) or master (nodes sharing the inbox folders elect one that takes them)");
    }

    /** ferry.cluster.inbox-lock-dir: the election's lock folder, on the shared storage; default in the upload inbox. */
    public Path inboxLockDir() {
        String v = get("ferry.cluster.inbox-lock-dir", null);
        return v == null || v.isBlank() ? uploadInbox().resolve(".ferry-cluster") : Path.of(v);
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

    /** The names of the configured server profiles (those with a host). */
    public TreeSet<String> serverNames() {
        TreeSet<String> names = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            Matcher m = SERVER_KEY.matcher(key);
            if (m.matches() && m.group(2).equals("host")) {
                names.add(m.group(1));
            }
        }
        return names;
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
            b.epsv(Boolean.parseBoolean(get(k + "epsv", "true")));
            String charset = get(k + "fallback-charset", null);
            if (charset != null) {
                b.fallbackCharset(Charset.forName(charset));
            }
            b.connectionLimit(getInt(k + "connection-limit", 4));
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
