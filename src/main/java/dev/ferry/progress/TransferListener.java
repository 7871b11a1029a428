package dev.ferry.progress;

import java.time.Duration;

/**
 * Everything that happens to a transfer, as paired events (after OkHttp's {@code EventListener}):
 * <pre>
 * accepted ─ stepRetry*                                          (planning: connect, probe, size)
 * transferStart ─┬─ resumed?                                       (once, after planning)
 *                ├─ segmentStart ─┬─ checkpoint*  ─┬─ segmentEnd   (per segment, and per stolen half)
 *                │                └─ retry*        ├─ segmentFailed
 *                │                                 └─ segmentGivenBack (an added connection the server refused)
 *                ├─ progress*                                      (sampled, every few seconds)
 *                └─ stepRetry* ─ verified ─ published ─ transferEnd  |  transferFailed  |  transferCancelled
 *                   (publishing)                                       |  transferStopped
 * </pre>
 * Every {@code transferStart} gets exactly one of transferEnd, transferFailed, transferCancelled or transferStopped; every
 * segmentStart one segmentEnd, segmentFailed or segmentGivenBack, on every path (a failed step, such as a ledger write, included).
 * {@code transferStart} comes once per run of a transfer: when its source changes under it, the same transfer goes
 * on with {@link #restarted} (its segments start again), never with a second transferStart. Listeners run on transfer threads: they must be fast and must
 * not throw (a {@link Listeners composite} shields the transfer from those that do).
 * <p>A tree (a folder, one transfer per file) is the parent of its files' transfers: {@code treeStarted}, the files'
 * own events, then exactly one {@code treeFinished} with its final counts, on every path.
 */
public interface TransferListener {
    default void treeStarted(TreeView tree) {
    }

    /** The tree ended: {@code tree.status()} says how (DONE, INCOMPLETE or FAILED, {@code reason} then not null). */
    default void treeFinished(TreeView tree, String reason) {
    }

    default void accepted(TransferView t) {
    }

    default void transferStart(TransferView t) {
    }

    /** The transfer continues from an earlier run; {@code bytesAlreadyThere} need not move again. */
    default void resumed(TransferView t, long bytesAlreadyThere) {
    }

    /**
     * The source changed since the partial data was written (in an earlier run, or in this one: a local file still
     * being written when it was sent), so the transfer starts again. Always after {@code transferStart}; may repeat;
     * the one end event follows the last attempt.
     */
    default void restarted(TransferView t, String why) {
    }

    default void segmentStart(TransferView t, int segment, long start, long end) {
    }

    /** The segment's bytes below {@code offset} are durable and recorded in the ledger. */
    default void checkpoint(TransferView t, int segment, long offset) {
    }

    default void retry(TransferView t, int segment, Throwable cause, Duration delay) {
    }

    /**
     * A step outside the segments (planning before transferStart, publishing before its end) failed transiently and
     * is tried again after {@code delay}: try {@code nextTry} of about {@code plannedTries} (in an outage, the tries
     * that fit into the server's outage wait). May repeat; not paired with an end of its own: the transfer's
     * transferStart, or its one end event, follows the last. A failed plan ends with transferFailed, without a
     * transferStart. Comes at once, so a person hears that the server cannot be reached before the wait.
     */
    default void stepRetry(TransferView t, String step, Throwable cause, Duration delay, int nextTry,
                           int plannedTries) {
    }

    default void segmentEnd(TransferView t, int segment, long bytesMoved) {
    }

    default void segmentFailed(TransferView t, int segment, Throwable cause) {
    }

    /**
     * The server refused the connection an adaptive transfer added (vsftpd's "500 OOPS" when its passive ports run
     * out): the segment's rest goes to the transfer's other connections, so this is no failure of the transfer.
     */
    default void segmentGivenBack(TransferView t, int segment, Throwable refusal) {
    }

    default void progress(TransferView t) {
    }

    /** {@code how}: "size", or "size and SHA-256 from the server", and so on. */
    default void verified(TransferView t, String how) {
    }

    default void published(TransferView t, String finalName) {
    }

    default void transferEnd(TransferView t) {
    }

    /** {@code reason} is for a person: what went wrong, with which file, and what to do. */
    default void transferFailed(TransferView t, String reason) {
    }

    default void transferCancelled(TransferView t) {
    }

    /**
     * The transfer stops in this process without an end of its own: another node owns it now (this node's lease ran
     * out, or it gave its leases up), or the process is stopping. It goes on there, or at the next start; nothing
     * failed, so nothing is recorded. {@code why} is for a person.
     */
    default void transferStopped(TransferView t, String why) {
    }
}
