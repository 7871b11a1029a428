package dev.ferry.service;

import dev.ferry.config.ConfigKeys;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What is wrong with where a setting points, found at start rather than by every transfer: a server's host given as
 * a URL, a trust store that is not there. Each answer is one clause naming the key and what to do, or null; none
 * repeats a value that may hold a password.
 */
final class Locations {
    private Locations() {
    }

    /**
     * A host that is a URL or carries a user ({@code ftp://bob:pw@host:21/}) was used as a name: its password then
     * went into log lines, the health page, reason files, events and the ledger. Its value is not repeated.
     */
    static String host(String server, String host, String origin, Path secretsFile) {
        if (!host.contains("://") && !host.contains("@")) {
            return null;
        }
        String k = ConfigKeys.SERVER_PREFIX + server + ".";
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
}
