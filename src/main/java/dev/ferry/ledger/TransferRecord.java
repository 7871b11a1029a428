package dev.ferry.ledger;

import dev.ferry.plan.Direction;
import java.time.Instant;

/**
 * One transfer as the ledger knows it.
 *
 * @param size        source size in bytes, -1 until planned
 * @param sourceMtime source modification time in epoch millis, -1 when unknown
 * @param request     the request as JSON (options, profile name), so recovery can re-run it
 * @param reason      why it failed or was cancelled, null otherwise
 * @param bytesMoved  bytes moved over the network for this transfer, across all runs
 * @param bytesResent bytes moved a second time (after a crash, a cut, a restart)
 * @param tree        the id of the tree (folder) this file's transfer is part of, null for a file on its own
 * @param sourceChangedAt an upload's source change time (Linux's ctime, epoch nanoseconds) when it was planned, -1
 *                    when unknown: unlike the modification time, no user can put it back, so a source rewritten in
 *                    place between two runs with its size and time kept is not resumed as the file sent before
 */
public record TransferRecord(
        String id,
        Direction direction,
        String server,
        String remotePath,
        String localPath,
        TransferStatus status,
        long size,
        long sourceMtime,
        String request,
        String reason,
        long bytesMoved,
        long bytesResent,
        Instant created,
        Instant updated,
        String tree,
        long sourceChangedAt) {

    /**
     * How the reason of a request refused when it came begins (an unsafe path, an unknown server): its stored request
     * is the one refused, never run, so it is not resumed; a corrected request is.
     */
    public static final String REFUSED = "refused: ";

    /** Whether this is a request refused when it came (see {@link #REFUSED}). */
    public boolean refused() {
        return reason != null && reason.startsWith(REFUSED);
    }

    /** A transfer of a file on its own (no tree). */
    public TransferRecord(String id, Direction direction, String server, String remotePath, String localPath,
                          TransferStatus status, long size, long sourceMtime, String request, String reason,
                          long bytesMoved, long bytesResent, Instant created, Instant updated) {
        this(id, direction, server, remotePath, localPath, status, size, sourceMtime, request, reason, bytesMoved,
                bytesResent, created, updated, null, -1);
    }

    /** A transfer whose source change time is not known. */
    public TransferRecord(String id, Direction direction, String server, String remotePath, String localPath,
                          TransferStatus status, long size, long sourceMtime, String request, String reason,
                          long bytesMoved, long bytesResent, Instant created, Instant updated, String tree) {
        this(id, direction, server, remotePath, localPath, status, size, sourceMtime, request, reason, bytesMoved,
                bytesResent, created, updated, tree, -1);
    }

    /** A new transfer, as accepted from a drop, a request file or a queue. */
    public static TransferRecord accepted(String id, Direction direction, String server, String remotePath,
                                          String localPath, String request) {
        return accepted(id, direction, server, remotePath, localPath, request, null);
    }

    /** A new transfer, a file of the tree {@code tree} (null: a file on its own). */
    public static TransferRecord accepted(String id, Direction direction, String server, String remotePath,
                                          String localPath, String request, String tree) {
        Instant now = Instant.now();
        return new TransferRecord(id, direction, server, remotePath, localPath, TransferStatus.ACCEPTED,
                -1, -1, request, null, 0, 0, now, now, tree, -1);
    }
}
