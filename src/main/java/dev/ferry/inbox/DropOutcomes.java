package dev.ferry.inbox;

import dev.ferry.transfer.CancelledException;
import java.nio.file.Path;
import org.apache.camel.Exchange;

/**
 * What the inbox routes (routes/error-handling.yaml, routes/upload-drops.yaml) do with a drop whose exchange failed:
 * a cancelled upload drop is kept aside in {@code .cancelled/} (it can resume), anything else goes to
 * {@code .failed/} with a reason file whose name always fits. Bound as {@code ferryDrops}.
 */
public final class DropOutcomes {
    private final Path uploadInbox;

    public DropOutcomes(Path uploadInbox) {
        this.uploadInbox = uploadInbox.toAbsolutePath().normalize();
    }

    /** The folder, relative to the inbox, a failed exchange's file moves to (the file consumer's moveFailed). */
    public String failedFolder(Exchange exchange) {
        return keptAside(exchange) ? CancelledDrops.FOLDER : FailedDrops.FOLDER;
    }

    /** A person cancelled the transfer of a file dropped into the upload inbox. */
    public boolean keptAside(Exchange exchange) {
        String parent = exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class);
        if (parent == null || !Path.of(parent).toAbsolutePath().normalize().equals(uploadInbox)) {
            return false;
        }
        Throwable e = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        for (int depth = 0; e != null && depth < 10; e = e.getCause(), depth++) {
            if (e instanceof CancelledException) {
                return true;
            }
        }
        return false;
    }

    /** {@code <name>.error.txt}, shortened where that would be too long a name. */
    public String reasonFileName(Exchange exchange) {
        return ReasonFiles.nameFor(exchange.getIn().getHeader(Exchange.FILE_NAME, String.class));
    }

    /** The reason file's text: the failure's message, in words. */
    public String reasonText(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e == null) {
            e = exchange.getException();
        }
        String message = e == null ? "unknown failure" : e.getMessage() != null ? e.getMessage() : e.toString();
        return ReasonFiles.text(exchange.getIn().getHeader(Exchange.FILE_NAME, String.class), message);
    }
}
