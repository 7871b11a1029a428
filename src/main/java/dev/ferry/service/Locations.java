package dev.ferry.service;

import dev.ferry.config.ConfigKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with where a setting points, found at start rather than by every transfer: a server's host given as
 * a URL, a trust store that is not there, a ledger URL no driver takes. Each answer is one clause naming the key and
 * what to do, or null; none repeats a value that may hold a password.
 */
final class Locations {
    /** The scheme parts of a URL (jdbc:bogus:), which hold no user or password, to show what was given. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*(:[A-Za-z][A-Za-z0-9+.-]*)?:");

    private Locations() {
    }

    /** host:port, not an IPv6 address (more than one colon). */
    private static final Pattern HOST_AND_PORT = Pattern.compile("[^:\\[\\]]+:\\d+");

    /**
     * A host that is a URL or carries a user ({@code ftp://bob:pw@host:21/}) was used as a name: its password then
     * went into log lines, the health page, reason files, events and the ledger. Its value is not repeated. A host
     * with a path, a space or a port is refused too, naming the key.
     */
    static String host(String server, String host, String origin, Path secretsFile) {
        String k = ConfigKeys.SERVER_PREFIX + server + ".";
        if (!host.contains("://") && !host.contains("@")) {
            // Taken as a name, each would fail every transfer's seven tries with "unknown host", naming no key.
            if (host.contains("/") || host.chars().anyMatch(Character::isWhitespace)) {
                return k + "host = '" + host + "' (" + origin + ") holds a path or a space: give the server's host name"
                        + " or address alone, and a folder on the server in " + k + "remote-dir";
            }
            if (HOST_AND_PORT.matcher(host).matches()) {
                return k + "host = '" + host + "' (" + origin + ") holds a port: give the host alone, and the port in "
                        + k + "port";
            }
            return null;
        }
        String password = k + "password";
        return k + "host (" + origin + ") is a URL or holds a user, which may carry a password, so its value is not"
                + " shown: give the host name alone there, the port in " + k + "port and the user in " + k + "user,"
                + " and the password in the environment as " + ConfigKeys.variable(password) + " or as " + password
                + " in " + secretsFile;
    }

    /** A trust store that is missing or unreadable: every transfer retried and failed with the bare path. */
    static String store(String key, Path file, String origin) {
        String problem;
        if (Files.isDirectory(file)) {
            problem = "is a folder";
        } else if (!Files.exists(file)) {
            problem = "does not exist";
        } else if (!Files.isReadable(file)) {
            problem = "cannot be read by this user";
        } else {
            return null;
        }
        return key + " = " + file + " (" + origin + ") " + problem + ": give the path of the server's PKCS12 trust"
                + " store (a relative path is read from the working folder), or remove the key to use the JVM's"
                + " default trust";
    }

    /**
     * A JDBC URL no driver in the jar takes failed as "No suitable driver" without naming the key. Only its scheme is
     * shown: the rest may hold a user and password.
     */
    static String ledgerUrl(String url, String origin) {
        if (url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:")) {
            return null;
        }
        Matcher scheme = SCHEME.matcher(url);
        String given = scheme.find() ? " (it begins " + scheme.group() + ")" : "";
        return "ferry.ledger.url (" + origin + ") is not a ledger Ferry can open" + given + ": use"
                + " jdbc:postgresql://host:port/database for a shared ledger or a jdbc:h2: URL, or remove the key for"
                + " the embedded H2 ledger in ferry.data-dir";
    }
}
