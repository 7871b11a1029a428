package dev.ferry.transfer;

/**
 * A published transfer.
 *
 * @param bytesMoved   bytes that crossed the network in this run
 * @param bytesResumed bytes that were already in place from an earlier run
 * @param verification how it was verified, in words ("size and SHA-256 from the server")
 */
public record TransferResult(String id, String published, long size, long bytesMoved, long bytesResumed,
                             int retries, String verification) {
}
