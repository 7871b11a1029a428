package dev.ferry.ledger;

/**
 * A write for a transfer this node no longer owns: another node claimed it (its lease ran out here), or this node
 * gave its leases up because it could not renew them. The write changed nothing; the transfer must stop here without
 * touching files or recording an end, since its new owner carries on.
 */
public final class LostLeaseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String transferId;

    public LostLeaseException(String transferId, String why) {
        super("transfer " + transferId + ": " + why + "; another node owns it now, so this one stops it");
        this.transferId = transferId;
    }

    public String transferId() {
        return transferId;
    }

    /** The lost lease in {@code t}'s cause chain, or null. */
    public static LostLeaseException in(Throwable t) {
        for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof LostLeaseException lost) {
                return lost;
            }
        }
        return null;
    }
}
