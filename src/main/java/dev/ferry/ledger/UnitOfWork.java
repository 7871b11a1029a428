package dev.ferry.ledger;

import java.util.Set;

/**
 * The unit of work a caller's ledger writes belong to, handed explicitly to the code whose behaviour depends on it
 * (instead of that code asking the ledger what the current thread is in). {@link #IMMEDIATE}: every write commits at
 * once. A {@link OneCommit} batch's unit is deferred: its writes become visible to other connections only at its
 * commit.
 */
public interface UnitOfWork {

    /** Every write commits at once; {@link #whenEnded} runs its action at once. */
    UnitOfWork IMMEDIATE = new UnitOfWork() {
        @Override
        public boolean deferred() {
            return false;
        }

        @Override
        public void whenEnded(Runnable action) {
            action.run();
        }

        @Override
        public Set<String> refused() {
            return Set.of();
        }

        @Override
        public String toString() {
            return "immediate";
        }
    };

    /** True when the writes wait for one commit at the unit's end, unseen by other connections until then. */
    boolean deferred();

    /**
     * Runs {@code action} once the unit has ended, committed or not: for what must last until its rows are visible to
     * other connections, such as a claim on a transfer the unit holds in memory.
     */
    void whenEnded(Runnable action);

    /**
     * After the unit ended: the transfers whose rows it did not write because another node had claimed them, live,
     * between the unit's look and its commit (its lease had run out here). Their work in this unit counts for nothing
     * in the ledger; their callers go on as any node that lost a lease does (camel.LostLeaseWait).
     */
    Set<String> refused();
}
