package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import java.io.IOException;

/** Moves one segment's remaining bytes over one session, checkpointing as it goes, and marks it done. */
interface SegmentMover {
    void move(FtpSession session, LiveTransfer t, LiveSegment s) throws IOException;
}
