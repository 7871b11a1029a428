package dev.ferry.tree;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One run at a time per tree id in this process, holding a lock object only while some caller wants it: a map of one
 * object per tree id ever run kept them all for the life of the process (a review of a service run for months).
 */
final class RunLocks {
    /** A caller's work under the lock. */
    interface Work<T> {
        T run() throws IOException;
    }

    private static final class Lock {
        private int users;
    }

    private final Map<String, Lock> locks = new ConcurrentHashMap<>();

    <T> T with(String key, Work<T> work) throws IOException {
        Lock lock = locks.compute(key, (k, held) -> {
            Lock l = held == null ? new Lock() : held;
            l.users++;
            return l;
        });
        try {
            synchronized (lock) {
                return work.run();
            }
        } finally {
            locks.computeIfPresent(key, (k, held) -> --held.users == 0 ? null : held);
        }
    }

    /** How many keys some caller holds or waits for. */
    int size() {
        return locks.size();
    }
}
