package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Route files and configuration (routes/, config/ except the git-ignored config/secrets.properties, and
 * src/main/resources) hold no secrets: a {@code password}, {@code secret}, {@code passphrase} or {@code token} key has
 * an empty value or a placeholder that reads it from elsewhere ({@code ${env:X}}, {@code {{X}}}, {@code ${X}}),
 * never the secret itself (DESIGN: "secret from config or environment, never in a route file").
 */
class ConfigHasNoSecretsTest {
    /** key (=|:) value, in .properties and YAML; the key may be dotted or dashed (ftp.server.password). */
    private static final Pattern SECRET = Pattern.compile(
            "(?i)^\\s*-?\\s*([\\w.\\-]*(password|passwd|secret|passphrase|token)[\\w.\\-]*)\\s*[=:]\\s*(.*?)\\s*$");
    private static final Pattern PLACEHOLDER = Pattern.compile("^[\"']?(\\$\\{[^}]+}|\\{\\{[^}]+}})[\"']?$");
    /** ...and a URI in a route with user:password@ in it. */
    private static final Pattern URI_PASSWORD = Pattern.compile("(?i)ftps?://[^/\\s:@]+:([^@\\s/]+)@");

    @Test
    void routesAndConfigHoldNoSecrets() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : new String[] {"routes", "config", "src/main/resources"}) {
            Path d = Path.of(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> walk = Files.walk(d)) {
                    // config/secrets.properties is where secrets go: git ignores it, and it is the user's own.
                    walk.filter(Files::isRegularFile).filter(p -> p.toString().matches(".*\\.(ya?ml|properties)$"))
                            .filter(p -> !p.getFileName().toString().equals("secrets.properties"))
                            .forEach(files::add);
                }
            }
        }
        System.out.println("scanned for secrets: " + (files.isEmpty() ? "no route or config files yet" : files));
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("#")) {
                    continue;
                }
                Matcher m = SECRET.matcher(line);
                if (m.matches() && !m.group(3).isEmpty() && !PLACEHOLDER.matcher(m.group(3)).matches()
                        && !m.group(1).toLowerCase().matches(".*(env|file|ref|path|store)$")) {
                    found.add(f + ":" + (i + 1) + ": " + m.group(1) + " has a value");
                }
                Matcher u = URI_PASSWORD.matcher(line);
                if (u.find() && !PLACEHOLDER.matcher(u.group(1)).matches()) {
                    found.add(f + ":" + (i + 1) + ": a password inside a URI");
                }
            }
        }
        assertEquals(List.of(), found, "secrets belong in the environment, not in routes or config");
    }

    @Test
    void theScannerCatchesWhatItShould() {
        for (String bad : new String[] {"ftp.password=hunter2", "  password: hunter2", "server.a.secret = x",
                "- password: 'x'", "ferry.http.token = 0123456789abcdef"}) {
            Matcher m = SECRET.matcher(bad);
            assertEquals(true, m.matches() && !PLACEHOLDER.matcher(m.group(3)).matches(), bad);
        }
        for (String ok : new String[] {"ftp.password=", "password: ${env:FTP_PW}", "password: '{{ftp.pw}}'"}) {
            Matcher m = SECRET.matcher(ok);
            assertEquals(true, m.matches() && (m.group(3).isEmpty() || PLACEHOLDER.matcher(m.group(3)).matches()), ok);
        }
        assertEquals(true, URI_PASSWORD.matcher("uri: ftp://u:hunter2@host/x").find());
    }
}
