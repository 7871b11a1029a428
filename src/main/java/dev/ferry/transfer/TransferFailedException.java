package dev.ferry.transfer;

/** A transfer ended without publishing; the message is the reason a person reads. */
public final class TransferFailedException extends Exception {
    private final String transferId;

    public TransferFailedException(String transferId, String reason, Throwable cause) {
        super(reason, cause);
        this.transferId = transferId;
    }

    public String transferId() {
        return transferId;
    }
}
