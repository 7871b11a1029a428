package dev.ferry.camel;

import dev.ferry.ledger.TransferRecord;
import dev.ferry.plan.Direction;
import dev.ferry.plan.FileExist;
import dev.ferry.plan.TransferRequest;
import dev.ferry.source.SourceCheck;
import dev.ferry.source.SourceState;
import dev.ferry.transfer.ServerCopy;
import dev.ferry.transfer.SourceChangedException;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload inbox's last step before a drop moves to {@code .done/}: the dropped file must still be the version
 * the server now has (size and time as the ledger recorded them when it was sent, nobody writing to it). A file
 * that changed after its rename on the server -- a writer that came back -- is uploaded again once it settles,
 * so {@code .done/} never holds a version the server does not.
 *
 * <p>The look for writers costs no /proc pass of its own as a rule: the files of a batch finish together, and the
 * pass made for the first (or for the check before their renames, or the inbox's poll) answers for all that last
 * changed before it began ({@link dev.ferry.source.OpenWriters}).
 */
public final class DropUnchanged {
    private static final Logger LOG = LoggerFactory.getLogger(DropUnchanged.class);
    /** A file that is still changing after this many fresh uploads goes to .failed/ with the reason. */
    static final int MAX_AGAIN = 2;
    static final Duration SETTLE_MAX = Duration.ofMinutes(5);

    public void check(Exchange exchange) throws Exception {
        TransferRequest request = exchange.getProperty(FerryConstants.REQUEST, TransferRequest.class);
        if (!(exchange.getIn().getBody() instanceof TransferResult result) || request == null
                || request.direction() != Direction.UPLOAD || result.skipped()) {
            // A drop kept out (fileExist Ignore) sent nothing: the server's file is another's, which sending this
            // one again "over its own copy" would replace.
            return;
        }
        TransferEngine engine = exchange.getContext().getRegistry().lookupByNameAndType("ferryEngine",
                TransferEngine.class);
        Path file = Path.of(request.localPath());
        TransferRecord committed = exchange.getProperty(FerryConstants.SENT_RECORD, TransferRecord.class);
        for (int again = 0; ; again++) {
            // A batch hands over the row it committed; anything else (and a drop sent again here) asks the ledger.
            TransferRecord sent = again == 0 && committed != null && committed.id().equals(result.id()) ? committed
                    : engine.ledger().find(result.id()).orElse(null);
            if (sent == null || !Files.exists(file)) {
                // Nothing to compare with, or nothing left to move: the file consumer reports the latter.
                return;
            }
            // Its change time too: a rewrite that put the size and time back is otherwise this version. Where that
            // is all that moved, the server's copy is compared by bytes: a chmod is not a reason to send it again.
            String why = SourceCheck.changed(file, SourceState.recorded(sent.size(), sent.sourceMtime(),
                    sent.sourceChangedAt()), ServerCopy.published(engine, request.server(), result.published()));
            if (why == null) {
                return;
            }
            if (again >= MAX_AGAIN) {
                throw new SourceChangedException("the local file " + file + " kept changing after it was uploaded ("
                        + why + "); drop it again once it is complete");
            }
            LOG.warn("{} {} changed after it was uploaded ({}); uploading it again", result.id(), file, why);
            SourceCheck.awaitSettled(file, SETTLE_MAX);
            // The server's copy is this drop's own earlier version, sent a moment ago: it is replaced, whatever the
            // fileExist rule says about other people's files.
            result = engine.run(request.withOptions(request.options().withFileExist(FileExist.OVERRIDE)));
            exchange.getIn().setBody(result);
            exchange.getIn().setHeader(FerryConstants.TRANSFER_ID, result.id());
            exchange.getIn().setHeader(FerryConstants.PUBLISHED, result.published());
            exchange.getIn().setHeader(FerryConstants.VERIFICATION, result.verification());
            exchange.getIn().setHeader(FerryConstants.EARLIER, result.earlier());
        }
    }
}
