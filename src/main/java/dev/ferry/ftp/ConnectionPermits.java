package dev.ferry.ftp;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Who may open one more connection to a server: the cap the {@link SessionPool} keeps for each server, behind an
 * interface so that one cap can hold for a whole cluster. A permit is a place for one connection, logging in, busy
 * or idle; the pool takes one before it connects and gives it back once that connection is closed (or never made).
 *
 * <p>{@link #local()} is a single process's cap (the default). A cluster's implementation keeps the permits in the
 * shared ledger, so every node's connections to a server count against one limit.
 */
public interface ConnectionPermits extends AutoCloseable {

    /**
     * Takes a permit for {@code server} if fewer than {@code limit} are taken now; never waits.
     *
     * @throws IOException when the permits cannot be read (a cluster's ledger does not answer)
     */
    boolean tryAcquire(String server, int limit) throws IOException;

    /** Gives back a permit taken with {@link #tryAcquire}. */
    void release(String server);

    /**
     * The server refused a connection as one too many: the limit drops to the connections that are open now (at
     * least one) for {@code cooldown}, for every holder of these permits.
     */
    void refused(String server, Duration cooldown);

    /** The limit in force: {@code configured}, or lower after a refusal that has not cooled down yet. */
    int limit(String server, int configured);

    /**
     * Whom to tell that a permit was lost: a cluster's lease on it ran out (this node's renewals lagged) and another
     * node took it, so one of this holder's connections to {@code server} has no place any more. The holder closes
     * one (an idle one at once, else the next one given back) and gives its permit back as usual; the permits count
     * that give-back against the lost one. A single process's permits are never lost.
     */
    default void whenLost(Consumer<String> holder) {
    }

    /** Permits for {@code server} lost while their connections are still open: so many of them should close. */
    default int lost(String server) {
        return 0;
    }

    /** True when a permit is taken in a shared ledger: a connection then waits for the ledger before the server. */
    default boolean inLedger() {
        return false;
    }

    /**
     * The holder is about to close all its connections and then these permits: a cluster's permits may gather the
     * give-backs that follow and write them once, at {@link #close()}, with a bounded wait.
     */
    default void stopping() {
    }

    @Override
    default void close() {
    }

    /** One process's permits: a count per server, and no lowering beyond what the pool itself does. */
    static ConnectionPermits local() {
        return new LocalPermits();
    }
}
