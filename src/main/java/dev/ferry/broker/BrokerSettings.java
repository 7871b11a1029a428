package dev.ferry.broker;

import dev.ferry.ftp.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the message broker (RabbitMQ) is, from the {@code ferry.broker.*} keys: {@code ferry.broker.url}
 * ({@code amqp://host:5672/vhost}, without a password) or {@code host}, {@code port}, {@code virtual-host},
 * {@code user}; the password only from FERRY_BROKER_PASSWORD or {@code ferry.broker.password} in
 * config/secrets.properties. Absent when neither a url nor a host is configured: then nothing about JMS starts.
 *
 * @param prefetch transfers a node runs or has waiting before it takes another request (see {@link PipelineRoom});
 *                 0 until configured: then {@link #prefetch(int)} uses the node's parallel transfers
 */
public record BrokerSettings(String url, String host, int port, String virtualHost, String user, Secret password,
                             int prefetch) {
    public static final String PASSWORD_VARIABLE = "FERRY_BROKER_PASSWORD";
    public static final String PASSWORD_KEY = "ferry.broker.password";

    /**
     * @param get    a configuration key's value, or null
     * @param secret the password (environment first, then secrets.properties), never from get
     */
    public static Optional<BrokerSettings> from(Function<String, String> get, Secret secret) {
        String url = blankToNull(get.apply("ferry.broker.url"));
        String host = blankToNull(get.apply("ferry.broker.host"));
        if (url == null && host == null) {
            return Optional.empty();
        }
        if (url != null) {
            checkUrl(url);
        }
        String user = blankToNull(get.apply("ferry.broker.user"));
        return Optional.of(new BrokerSettings(url, host, number(get, "ferry.broker.port", 5672),
                blankToNull(get.apply("ferry.broker.virtual-host")), user, secret,
                Math.max(0, number(get, "ferry.broker.prefetch", 0))));
    }

    /** The configured prefetch, or the node's parallel transfers when none is configured. */
    public int prefetch(int parallelTransfers) {
        return prefetch > 0 ? prefetch : Math.max(1, parallelTransfers);
    }

    /** The URL as written, or amqp://host:port/vhost: for a log line (never holds the password). */
    public String where() {
        if (url != null) {
            return url;
        }
        return "amqp://" + host + ":" + port + "/" + (virtualHost == null ? "" : virtualHost);
    }

    private static void checkUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("ferry.broker.url = '" + url + "' is not a URL: " + e.getReason()
                    + "; expected amqp://host:5672/virtual-host");
        }
        if (!"amqp".equalsIgnoreCase(uri.getScheme()) && !"amqps".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalStateException("ferry.broker.url must start with amqp:// or amqps://; expected"
                    + " amqp://host:5672/virtual-host");
        }
        if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
            // Not echoed: the URL holds a password.
            throw new IllegalStateException("ferry.broker.url holds a password: set ferry.broker.user, and the"
                    + " password in the environment (" + PASSWORD_VARIABLE + ") or in config/secrets.properties ("
                    + PASSWORD_KEY + ")");
        }
    }

    private static int number(Function<String, String> get, String key, int fallback) {
        String v = blankToNull(get.apply(key));
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("configuration key " + key + " = '" + v + "' is not a whole number");
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    @Override
    public String toString() {
        return "broker " + where() + (user == null ? "" : " as " + user);
    }
}
