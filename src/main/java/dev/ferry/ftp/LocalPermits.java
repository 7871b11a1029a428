package dev.ferry.ftp;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The permits of a single process: a count per server. The pool lowers its own cap after a refusal, so there is
 * nobody else to tell.
 */
final class LocalPermits implements ConnectionPermits {
    private final Map<String, Integer> taken = new HashMap<>();

    @Override
    public synchronized boolean tryAcquire(String server, int limit) {
        int n = taken.getOrDefault(server, 0);
        if (n >= limit) {
            return false;
        }
        taken.put(server, n + 1);
        return true;
    }

    @Override
    public synchronized void release(String server) {
        int n = taken.getOrDefault(server, 0);
        if (n <= 0) {
            throw new IllegalStateException("released a connection permit for " + server + " that was not taken");
        }
        taken.put(server, n - 1);
    }

    @Override
    public void refused(String server, Duration cooldown) {
    }

    @Override
    public int limit(String server, int configured) {
        return configured;
    }

    synchronized int taken(String server) {
        return taken.getOrDefault(server, 0);
    }
}
