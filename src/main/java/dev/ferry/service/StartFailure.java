package dev.ferry.service;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Why the service could not start, in one line a person can act on. Camel wraps what went wrong: "Error pre-parsing
 * resource: file:routes/x.yaml" hid the YAML's own message with its line and column, and a route folder that was not
 * there came out as "NoSuchFileException: routes".
 */
public final class StartFailure {
    private StartFailure() {
    }

    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoSuchFileException missing && missing.getFile() != null
                    && missing.getFile().replace('\\', '/').matches("(.*/)?routes(/.*)?")) {
                return "the route files are not there: " + Path.of(missing.getFile()).toAbsolutePath() + " (routes/"
                        + " is read from the folder Ferry is started in); start it from the folder it was installed"
                        + " in, which holds routes/ and config/, or set camel.main.routes-include-pattern in"
                        + " config/application.properties (file:/path/to/routes/*.yaml)";
            }
        }
        // Each wrapper's message, and what it wraps where that adds something: the innermost has the line and column.
        List<String> parts = new ArrayList<>();
        String joined = "";
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
            String m = t.getMessage() == null ? t.toString() : t.getMessage().strip();
            if (!m.isEmpty() && !joined.contains(m)) {
                parts.add(m.replaceAll("\\s*\\R\\s*", " "));
                joined = String.join(": ", parts);
            }
        }
        String line = joined.isEmpty() ? e.toString() : joined;
        if (line.contains("Property with key [") && line.contains("not found")) {
            line += " -- a {{placeholder}} in a route file names a property that is set nowhere: set it in"
                    + " config/application.properties, or correct the route file";
        }
        return line;
    }
}
