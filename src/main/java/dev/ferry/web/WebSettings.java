package dev.ferry.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.function.Function;

/**
 * The operations endpoint's configuration ({@code ferry.http.*}).
 *
 * @param enabled        false: no HTTP server at all
 * @param host           address to bind; loopback unless configured otherwise
 * @param port           TCP port
 * @param token          bearer token the API and /observe paths require; null for none. Required when {@code host}
 *                       is not a loopback address, and enforced whenever set
 * @param healthInterval how often the background health check reaches the ledger and every server
 * @param healthTimeout  how long one check may take before it counts as failed
 * @param recentLimit    how many finished transfers the list shows
 * @param idleTimeout    how long a connection may stay idle (nothing sent either way) before it is closed
 */
public record WebSettings(boolean enabled, String host, int port, String token, Duration healthInterval,
                          Duration healthTimeout, int recentLimit, Duration idleTimeout) {

    public static final String TOKEN_ENV = "FERRY_HTTP_TOKEN";
    /** 16 characters: a token short enough to guess or to have been typed from memory is refused at start. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public WebSettings {
        host = host == null || host.isBlank() ? "127.0.0.1" : host.trim();
        token = token == null || token.isBlank() ? null : token.trim();
        if (port < 0 || port > 65535) {
            throw new IllegalStateException("ferry.http.port = " + port + " is not a TCP port");
        }
        if (healthInterval.isNegative() || healthInterval.isZero()) {
            throw new IllegalStateException("ferry.http.health-interval must be positive");
        }
        if (idleTimeout == null || idleTimeout.toSeconds() < 1) {
            throw new IllegalStateException("ferry.http.idle-timeout must be 1 second or more");
        }
    }

    /** Loopback, port 8080, no token, health checked every 30 s. */
    public static WebSettings defaults() {
        return new WebSettings(true, "127.0.0.1", 8080, null, Duration.ofSeconds(30), Duration.ofSeconds(15), 25,
                Duration.ofSeconds(60));
    }

    /**
     * From configuration keys ({@code ferry.http.enabled}, {@code .host}, {@code .port}, {@code .token},
     * {@code .health-interval}, {@code .health-timeout} and {@code .idle-timeout} in seconds, {@code .recent}); the
     * token may also come
     * from the environment variable {@value #TOKEN_ENV}, which wins.
     */
    public static WebSettings from(Function<String, String> config, Function<String, String> env) {
        WebSettings d = defaults();
        String token = env.apply(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            token = config.apply("ferry.http.token");
        }
        return new WebSettings(
                !"false".equalsIgnoreCase(text(config, "ferry.http.enabled", "true")),
                text(config, "ferry.http.host", d.host()),
                number(config, "ferry.http.port", d.port()),
                token,
                Duration.ofSeconds(number(config, "ferry.http.health-interval", (int) d.healthInterval().toSeconds())),
                Duration.ofSeconds(number(config, "ferry.http.health-timeout", (int) d.healthTimeout().toSeconds())),
                number(config, "ferry.http.recent", d.recentLimit()),
                Duration.ofSeconds(number(config, "ferry.http.idle-timeout", (int) d.idleTimeout().toSeconds())));
    }

    public WebSettings withPort(int p) {
        return new WebSettings(enabled, host, p, token, healthInterval, healthTimeout, recentLimit, idleTimeout);
    }

    public WebSettings withHost(String h) {
        return new WebSettings(enabled, h, port, token, healthInterval, healthTimeout, recentLimit, idleTimeout);
    }

    public WebSettings withToken(String t) {
        return new WebSettings(enabled, host, port, t, healthInterval, healthTimeout, recentLimit, idleTimeout);
    }

    public WebSettings withIdleTimeout(Duration d) {
        return new WebSettings(enabled, host, port, token, healthInterval, healthTimeout, recentLimit, d);
    }

    public WebSettings withHealthInterval(Duration d) {
        return new WebSettings(enabled, host, port, token, d, healthTimeout, recentLimit, idleTimeout);
    }

    /**
     * The address the server binds: {@code host} resolved once here, and given to the server as this literal, so the
     * token requirement ({@link #checked}) is decided by the very address that is bound, not by the name.
     */
    public InetAddress bindAddress() {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("ferry.http.host = " + host + " is not an address of this machine", e);
        }
    }

    /** True when the bound address is a loopback address (127.0.0.0/8, ::1, localhost). */
    public boolean loopback() {
        return bindAddress().isLoopbackAddress();
    }

    /**
     * Refuses Camel's own HTTP servers ({@code camel.server.*}, {@code camel.management.*}): they once carried this
     * API to another address, past the token check. One server, {@code ferry.http.*}, is all Ferry runs.
     */
    public static void refuseOtherServers(Function<String, String> config) {
        for (String prefix : new String[] {"camel.server", "camel.management"}) {
            if ("true".equalsIgnoreCase(text(config, prefix + ".enabled", "false"))) {
                throw new IllegalStateException(prefix + ".enabled = true asks for a second HTTP server, which Ferry"
                        + " does not run: its status page, API, health and metrics are served once, on ferry.http.host"
                        + " and ferry.http.port (beyond loopback only with " + TOKEN_ENV + " set); remove "
                        + prefix + ".*");
            }
        }
    }

    /** Refuses a configuration that would serve the API beyond this machine without a token, or with a short one. */
    public WebSettings checked() {
        if (enabled && token != null && token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalStateException("the HTTP token (" + TOKEN_ENV + " or ferry.http.token) has " + token.length()
                    + " characters: use at least " + MIN_TOKEN_LENGTH + " random ones, e.g. the output of"
                    + " `openssl rand -hex 16`");
        }
        if (enabled && !loopback() && token == null) {
            throw new IllegalStateException("ferry.http.host = " + host + " serves the API beyond this machine, so it"
                    + " needs a token: set ferry.http.token (or the environment variable " + TOKEN_ENV + ") to a long"
                    + " random string, or bind to 127.0.0.1");
        }
        return this;
    }

    @Override
    public String toString() {
        return "http://" + host + ":" + port + (token == null ? "" : " (token required)");
    }

    private static String text(Function<String, String> config, String key, String fallback) {
        String v = config.apply(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static int number(Function<String, String> config, String key, int fallback) {
        String v = text(config, key, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("configuration key " + key + " = '" + v + "' is not a whole number");
        }
    }
}
