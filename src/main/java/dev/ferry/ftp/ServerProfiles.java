package dev.ferry.ftp;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The configured servers by name; an unknown name is a clear error that lists the known ones. */
public final class ServerProfiles {
    private final Map<String, ServerProfile> byName = new ConcurrentHashMap<>();

    public ServerProfiles add(ServerProfile profile) {
        byName.put(profile.name(), profile);
        return this;
    }

    /** The profile a request's {@code "server"} field names. */
    public ServerProfile get(String name) {
        return get(name, "\"server\"");
    }

    /** The profile {@code name} names, {@code where} saying where the name was given, for the error. */
    public ServerProfile get(String name, String where) {
        ServerProfile p = name == null ? null : byName.get(name);
        if (p == null) {
            throw new UnknownServerException("unknown server profile '" + name + "' in " + where + "; configured: "
                    + new TreeMap<>(byName).keySet() + " (define ferry.servers." + name + ".host and friends in "
                    + "config/application.properties)");
        }
        return p;
    }

    public boolean has(String name) {
        return name != null && byName.containsKey(name);
    }

    public Collection<ServerProfile> all() {
        return byName.values();
    }

    /** A server name a request gave that no profile defines. */
    public static final class UnknownServerException extends IllegalArgumentException {
        public UnknownServerException(String message) {
            super(message);
        }
    }
}
