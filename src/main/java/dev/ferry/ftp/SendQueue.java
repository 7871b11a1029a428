package dev.ferry.ftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How many bytes of a closed upload connection the kernel still holds unacknowledged (Linux's {@code /proc/net/tcp}
 * and {@code tcp6}: the socket lingers there after its close until the server has taken them). An upload's 226 comes
 * once the server has read every byte, and a server that reads far slower than the socket buffers fill (a
 * {@code local_max_rate}) answers long after the control connection's read timeout; while this queue shrinks, the
 * server is still taking the upload, and the wait for its answer goes on.
 */
final class SendQueue {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private SendQueue() {
    }

    /** The unacknowledged bytes of the connection from local port {@code local} to remote port {@code remote}; -1: none. */
    static long unsent(int local, int remote) {
        if (local <= 0 || remote <= 0) {
            return -1;
        }
        String ports = String.format(Locale.ROOT, ":%04X", local);
        String peer = String.format(Locale.ROOT, ":%04X", remote);
        for (Path table : TABLES) {
            try (var lines = Files.lines(table)) {
                for (String line : (Iterable<String>) lines.skip(1)::iterator) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx_queue:rx_queue ...
                    if (f.length > 4 && f[1].endsWith(ports) && f[2].endsWith(peer)) {
                        return Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux, or the table unreadable: nothing to tell.
            }
        }
        return -1;
    }
}
