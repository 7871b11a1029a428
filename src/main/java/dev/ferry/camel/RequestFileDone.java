package dev.ferry.camel;

import dev.ferry.source.SourceCheck;
import dev.ferry.source.SourceState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.FileConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request inbox's move to {@code .done/}, done by the route itself rather than the file consumer: the consumer
 * moves whatever is at the request's name when the exchange ends, so a request file replaced under the same name
 * while the first ran (an editor's save, a {@code mv}) went to {@code .done/} as if done, and never ran. Here the
 * file moves only when it is still the version that was read -- size, time and identity, as the upload inbox's
 * {@link DropUnchanged} compares a drop with what was sent -- and an earlier request of the same name in
 * {@code .done/} is kept ({@link DoneFolder}). A replacement stays in the inbox, where the next poll runs it; the
 * request that did run goes to {@code .done/} from the text that was read, since its file is gone.
 */
public final class RequestFileDone {
    private static final Logger LOG = LoggerFactory.getLogger(RequestFileDone.class);
    /** Exchange property: the request file as it was read ({@link Read}). */
    static final String READ = "FerryRequestRead";
    static final String FOLDER = ".done";

    /** The request file's version and the text read from it. */
    record Read(SourceState state, String text) {
    }

    /**
     * Remembers the version of {@code file} about to be read. Taken before the read: a file replaced between the two
     * then differs at the end and runs again (twice at worst), where one taken after could pass a replacement read
     * too late as the one that ran.
     */
    static SourceState before(Path file) throws IOException {
        return SourceState.of(file, false);
    }

    static void remember(Exchange exchange, SourceState state, String text) {
        exchange.setProperty(READ, new Read(state, text));
    }

    /**
     * Whether the request file at the exchange's name is no longer the version that was read: replaced under its name
     * while its request ran. False for any other file (an upload drop: no request was read from it).
     */
    public static boolean replaced(Exchange exchange) throws IOException {
        Read read = exchange.getProperty(READ, Read.class);
        return read != null && SourceCheck.differs(requestFile(exchange), read.state()) != null;
    }

    /**
     * A failed request whose file was replaced meanwhile: the request that ran goes to {@code target} (in
     * {@code .failed/}, beside its reason) from the text that was read, and the file now at the name stays in the
     * inbox for the next poll: moved there by the consumer, it would take the failure of a request it never was.
     */
    public static void failedAsRead(Exchange exchange, Path target) throws IOException {
        writeWhole(target, exchange.getProperty(READ, Read.class).text());
        LOG.info("{} is no longer the request file that failed: the request that failed goes to {} as it was read,"
                + " and the file now at that name is taken as a new request", requestFile(exchange).getFileName(),
                target);
    }

    private static Path requestFile(Exchange exchange) {
        return Path.of(exchange.getIn().getHeader(FileConstants.FILE_ABSOLUTE_PATH, String.class));
    }

    /** Whole or not at all, as the reason files: whoever watches the folder never reads half a request. */
    private static void writeWhole(Path target, String text) throws IOException {
        Files.createDirectories(target.getParent());
        Path staged = target.resolveSibling("." + target.getFileName() + ".ferry-tmp");
        Files.writeString(staged, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        Files.move(staged, target);
    }

    /** The route's last step: the request ran (or was answered); its file goes to {@code .done/}. */
    public void file(Exchange exchange) throws IOException {
        Path file = requestFile(exchange);
        Read read = exchange.getProperty(READ, Read.class);
        String why = read == null ? null : SourceCheck.differs(file, read.state());
        Path done = file.resolveSibling(FOLDER).resolve(file.getFileName());
        Files.createDirectories(done.getParent());
        if (why == null) {
            new DoneFolder().keepEarlier(file.toString(), FOLDER);
            Files.move(file, done);
            return;
        }
        LOG.info("{} is no longer the request file that ran ({}): the request that ran goes to .done/ as it was read,"
                + " and a file now at that name is taken as a new request", file.getFileName(), why);
        new DoneFolder().keepEarlier(file.toString(), FOLDER);
        writeWhole(done, read.text());
    }
}
