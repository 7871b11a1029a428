package dev.ferry.transfer;

/**
 * A published transfer.
 *
 * @param bytesMoved   bytes that crossed the network in this run
 * @param bytesResumed bytes that were already in place from an earlier run
 * @param verification how it was verified, in words ("size and SHA-256 from the server")
 * @param earlier      this run sent nothing: it found the transfer published already (by a run that crashed before
 *                     its drop or request moved on, or by another node), so a log must not say it moved the file
 */
public record TransferResult(String id, String published, long size, long bytesMoved, long bytesResumed,
                             int retries, String verification, boolean earlier) {

    public TransferResult(String id, String published, long size, long bytesMoved, long bytesResumed, int retries,
                          String verification) {
        this(id, published, size, bytesMoved, bytesResumed, retries, verification, false);
    }

    /** The target was there and kept as it was ({@code fileExist=Ignore}): nothing was sent, nothing verified. */
    public boolean skipped() {
        return KeptFile.IGNORED.equals(verification);
    }

    /** Found published already: nothing moved in this run. */
    public static TransferResult publishedEarlier(String id, String published, long size, String how) {
        return new TransferResult(id, published, size, 0, size, 0, how, true);
    }
}
