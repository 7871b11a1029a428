package dev.ferry.tree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.camel.RequestParser;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;

/**
 * Download request files that name a folder ({@code "recursive": true}, or a remotePath ending in {@code /}): the
 * request inbox's route (routes/download-requests.yaml) hands them here instead of to the single-file pipeline. The
 * tree goes into {@code localPath} under the download folder (default: the remote folder's name), and the request
 * file moves to .done/ only when every file is verified; else to .failed/ with the files that failed.
 */
public final class TreeRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REASON_LINES = 50;

    private final TransferEngine engine;
    private final Supplier<String> defaultServer;
    private final Path downloadDir;
    private final TreeLimits limits;

    public TreeRequests(TransferEngine engine, Supplier<String> defaultServer, Path downloadDir, TreeLimits limits) {
        this.engine = engine;
        this.defaultServer = defaultServer;
        this.downloadDir = downloadDir.toAbsolutePath().normalize();
        this.limits = limits;
    }

    /** True for a request that names a folder; anything unreadable is left to the single-file path to refuse. */
    public boolean isTree(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                return false;
            }
            JsonNode recursive = root.get("recursive");
            JsonNode remote = root.get("remotePath");
            return recursive != null && recursive.asBoolean(false)
                    || recursive == null && remote != null && remote.isTextual() && remote.asText().endsWith("/");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs the tree on the calling thread; the summary, or an exception whose message lists what failed. */
    public String download(Exchange exchange) throws IOException {
        String source = exchange.getIn().getHeader(Exchange.FILE_NAME, "request", String.class);
        ObjectNode root = (ObjectNode) JSON.readTree(exchange.getIn().getBody(String.class));
        root.remove("recursive");
        RequestParser.Parsed p = RequestParser.parse(JSON.convertValue(root, Map.class), source);
        if (p.direction() == Direction.UPLOAD) {
            throw new RequestParser.RequestException(source + ": a folder is uploaded by dropping it into the upload"
                    + " inbox, not by a request");
        }
        String server = p.server() != null ? p.server() : defaultServer.get();
        String remote = PathGuard.remoteAbsolute(p.remotePath());
        String local = p.localPath() != null ? p.localPath() : PathGuard.remoteName(remote);
        if (local.isEmpty()) {
            throw new RequestParser.RequestException(source + ": field 'localPath' is needed for the remote root");
        }
        Path into = PathGuard.localInside(downloadDir, local);
        TreeResult r = new TreeRun(engine, server, limits).download(remote, into, p.options());
        String summary = r.files() + " files from " + server + ":" + remote + " into " + into + ": " + r.transferred()
                + " transferred, " + r.skipped() + " already identical, " + r.failed() + " failed, " + r.refused()
                + " refused (tree " + r.id() + ")";
        if (!r.complete()) {
            StringBuilder why = new StringBuilder(summary).append('\n');
            r.problems().stream().limit(REASON_LINES).forEach(line -> why.append(line).append('\n'));
            if (r.problems().size() > REASON_LINES) {
                why.append("... and ").append(r.failed() + r.refused() - REASON_LINES).append(" more in the log\n");
            }
            throw new IncompleteTreeException(why.toString());
        }
        return summary;
    }

    /** Some files of a tree failed or were refused; the message lists them. */
    public static final class IncompleteTreeException extends IOException {
        IncompleteTreeException(String message) {
            super(message);
        }
    }
}
