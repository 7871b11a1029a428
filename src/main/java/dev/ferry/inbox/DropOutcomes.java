package dev.ferry.inbox;

import dev.ferry.camel.RequestFileDone;
import dev.ferry.transfer.CancelledException;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.camel.Exchange;

/**
 * What the inbox routes (routes/error-handling.yaml, routes/upload-drops.yaml) do with a drop whose exchange failed:
 * a cancelled upload drop is kept aside in {@code .cancelled/} (it can resume), anything else goes to
 * {@code .failed/} with a reason file whose name always fits. Bound as {@code ferryDrops}.
 */
public final class DropOutcomes {
    /**
     * Exchange property: the name a failed drop takes in {@code .failed/}, chosen once when its reason file is
     * written, so the drop moved there later (the consumer's moveFailed) lands beside that reason and no other.
     */
    static final String FAILED_NAME = "FerryFailedName";

    private final Path uploadInbox;

    public DropOutcomes(Path uploadInbox) {
        this.uploadInbox = uploadInbox.toAbsolutePath().normalize();
    }

    /**
     * Where, relative to the inbox, a failed exchange's file moves (the file consumer's moveFailed): {@code .failed/}
     * under the name its reason file was written for, or {@code .cancelled/}.
     */
    public String failedTarget(Exchange exchange) throws IOException {
        if (keptAside(exchange)) {
            String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
            // The consumer's move replaces what has the name; an earlier cancelled drop of it moves out of the way.
            CancelledDrops.makeRoom(uploadInbox.resolve(name));
            return CancelledDrops.FOLDER + "/" + name;
        }
        return FailedDrops.FOLDER + "/" + failedName(exchange);
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

    /** {@code <name>.error.txt} for the name the drop takes in {@code .failed/}, shortened where too long. */
    public String reasonFileName(Exchange exchange) {
        return ReasonFiles.nameFor(failedName(exchange));
    }

    /** The drop's free name in {@code .failed/} ({@link FailedDrops#freeName}), the same each time it is asked. */
    private static String failedName(Exchange exchange) {
        String chosen = exchange.getProperty(FAILED_NAME, String.class);
        if (chosen == null) {
            String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
            Path parent = Path.of(exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class));
            chosen = FailedDrops.freeName(parent.resolve(FailedDrops.FOLDER), name);
            exchange.setProperty(FAILED_NAME, chosen);
        }
        return chosen;
    }

    /**
     * The failure is handled here, not by the consumer's moveFailed, when it is a request's whose file was replaced
     * under its name while it ran: the file now there is a new request, to be run, not filed with this failure.
     */
    public boolean replacedRequest(Exchange exchange) throws IOException {
        return RequestFileDone.replaced(exchange);
    }

    /** For a {@link #replacedRequest}: the request that failed, as it was read, into its place in {@code .failed/}. */
    public void failedAsRead(Exchange exchange) throws IOException {
        if (replacedRequest(exchange)) {
            Path parent = Path.of(exchange.getIn().getHeader(Exchange.FILE_PARENT, String.class));
            RequestFileDone.failedAsRead(exchange, parent.resolve(FailedDrops.FOLDER).resolve(failedName(exchange)));
        }
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
