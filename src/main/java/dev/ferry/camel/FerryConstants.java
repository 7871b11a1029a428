package dev.ferry.camel;

/** Header and exchange property names the {@code ferry:} component reads and writes. */
public final class FerryConstants {
    /** Header: the transfer's stable id (set by accept, plan and publish). */
    public static final String TRANSFER_ID = "FerryTransferId";
    /** Header: where a published transfer now is (remote path of an upload, local path of a download). */
    public static final String PUBLISHED = "FerryPublished";
    /**
     * Headers: how the published transfer was verified, in words, and whether it had been published before (nothing
     * sent). The routes' log lines and choices read them as headers: {@code ${body.verification()}} costs a bean
     * lookup and a reflective call per drop (#16.4).
     */
    public static final String VERIFICATION = "FerryVerification";
    public static final String EARLIER = "FerryEarlier";
    /** Exchange property: the accepted {@link dev.ferry.plan.TransferRequest}. */
    public static final String REQUEST = "FerryRequest";
    /** Exchange property: the planned {@link dev.ferry.transfer.LiveTransfer} the segment steps work on. */
    public static final String LIVE_TRANSFER = "FerryLiveTransfer";
    /** Exchange property on a segment exchange: its {@link SegmentTask}, whatever a route did to the body. */
    public static final String SEGMENT_TASK = "FerrySegmentTask";
    /** Exchange property: set when another exchange published this transfer while this one waited for it. */
    public static final String JOINED_RESULT = "FerryJoinedResult";

    /**
     * Exchange property set by {@code ferry:batch}: the transfer's {@link dev.ferry.ledger.TransferRecord} as its
     * batch commits it (the size and time the file was sent with), for the inbox's check before {@code .done/}.
     */
    public static final String SENT_RECORD = "FerrySentRecord";
    /**
     * Exchange property set by a route whose transfers may wait aside for a server that cannot be reached
     * ({@link dev.ferry.transfer.ServerWaits}) instead of on its thread: {@code queue} (sent back into the service's
     * queue) or {@code inbox} (a request file, left in its inbox and taken again).
     */
    public static final String WAIT_ASIDE = "FerryWaitAside";

    private FerryConstants() {
    }
}
