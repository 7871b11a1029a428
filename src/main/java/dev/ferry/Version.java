package dev.ferry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Ferry's version, from {@code dev/ferry/version.properties} (filtered by the build), so that the command line, the
 * service's banner and {@code /observe/info} say the same in the jar and in a test run from classes alike; the jar's
 * manifest carries it too ({@code Implementation-Version}) for tools that look there.
 */
public final class Version {
    private static final String VERSION = read();

    private Version() {
    }

    /** For example {@code 0.1.0-SNAPSHOT}; {@code unknown} when the resource is missing (an unfiltered build). */
    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v.strip();
                }
            }
        } catch (IOException e) {
            // Fall back to the manifest below.
        }
        String fromManifest = Version.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : "unknown";
    }
}
