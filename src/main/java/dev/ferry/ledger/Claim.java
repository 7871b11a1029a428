package dev.ferry.ledger;

/**
 * One node's right to write for one transfer: the ledger's row names {@code owner} and {@code epoch} while the claim
 * holds. Every claim raises the epoch, so a write fenced with an older one is refused even by the same node.
 */
public record Claim(String transferId, String owner, long epoch) {
}
