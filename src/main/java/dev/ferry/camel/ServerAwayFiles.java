package dev.ferry.camel;

import dev.ferry.plan.TransferRequest;
import dev.ferry.transfer.ServerWaits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Request files whose transfer waits aside for a server that cannot be reached ({@link ServerWaits}): the file stays
 * in the request inbox (where a person sees it is not done) and the inbox's filter, {@link NotBeingWritten}, holds it
 * back until the server answers or its transfer's wait ran out; the next poll then takes it and its transfer runs
 * again, or fails and the file goes to .failed/ with the reason. Waiting on the inbox's threads instead, four such
 * requests held every request file for every other server for the outage wait.
 *
 * <p>A file edited meanwhile (a person correcting the server's name) is not held: it is a new request. The transfer
 * that waited is not forgotten: when its server answers and its file is no longer the one it came from, it runs
 * through the service's queue, as recovery would run it.
 */
public final class ServerAwayFiles {
    private static final Map<String, Held> HELD = new ConcurrentHashMap<>();

    private record Held(long size, long modified, BooleanSupplier waiting) {
    }

    private ServerAwayFiles() {
    }

    /** How the request file {@code file} comes back: taken again by its inbox, once {@code waits} lets it go. */
    static ServerWaits.Comeback of(Path file, ServerWaits waits) {
        String key = file.toAbsolutePath().normalize().toString();
        BasicFileAttributes seen = attributes(file);
        return new ServerWaits.Comeback() {
            @Override
            public boolean sendBack(TransferRequest request) {
                BasicFileAttributes now = attributes(file);
                if (seen != null && now != null && now.size() == seen.size()
                        && now.lastModifiedTime().equals(seen.lastModifiedTime())) {
                    return true; // the filter lets the file through from now on, and the inbox takes it again
                }
                ServerWaits.Comeback queue = waits.viaQueue();
                return queue == null || queue.sendBack(request);
            }

            @Override
            public void waiting(TransferRequest request) {
                HELD.values().removeIf(held -> !held.waiting().getAsBoolean());
                if (seen != null) {
                    String id = request.id();
                    HELD.put(key, new Held(seen.size(), seen.lastModifiedTime().toMillis(),
                            () -> waits.isWaiting(id)));
                }
            }
        };
    }

    /** Whether the inbox should leave this file for now: it is the request whose transfer waits for its server. */
    static boolean held(String absolutePath, long size, long modified) {
        Held held = HELD.get(absolutePath);
        if (held == null) {
            return false;
        }
        if (held.waiting().getAsBoolean() && held.size() == size && held.modified() == modified) {
            return true;
        }
        HELD.remove(absolutePath, held);
        return false;
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }
}
