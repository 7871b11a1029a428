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
        JsonNode relist = root.remove("relist");
        if (relist != null && !relist.isBoolean()) {
            throw new RequestParser.RequestException(source + ": field 'relist' must be true or false");
        }
        TreeFilter filter = filter(root, source);
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
        TreeResult r = new TreeRun(engine, server, limits).relist(relist != null && relist.asBoolean())
                .download(remote, into, p.options(), filter);
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

    /**
     * The folder's own fields, taken out of the request before the single-file parser sees it: {@code include} and
     * {@code exclude} (a glob or a list of them), {@code newerThan} (an ISO instant or date), {@code delete}.
     */
    private static TreeFilter filter(ObjectNode root, String source) {
        try {
            java.util.List<String> include = globs(root.remove("include"), "include", source);
            java.util.List<String> exclude = globs(root.remove("exclude"), "exclude", source);
            JsonNode newer = root.remove("newerThan");
            java.time.Instant after = null;
            if (newer != null && !newer.isNull()) {
                String t = newer.asText();
                after = t.contains("T") ? java.time.Instant.parse(t)
                        : java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            JsonNode delete = root.remove("delete");
            if (delete != null && !delete.isBoolean()) {
                throw new RequestParser.RequestException(source + ": field 'delete' must be true or false");
            }
            return new TreeFilter(include, exclude, after, delete != null && delete.asBoolean());
        } catch (java.time.format.DateTimeParseException e) {
            throw new RequestParser.RequestException(source + ": field 'newerThan' is not an ISO date or instant");
        } catch (RequestParser.RequestException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new RequestParser.RequestException(source + ": " + e.getMessage());
        }
    }

    private static java.util.List<String> globs(JsonNode node, String field, String source) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            out.add(node.asText());
            return out;
        }
        if (node.isArray()) {
            for (JsonNode g : node) {
                if (!g.isTextual()) {
                    break;
                }
                out.add(g.asText());
            }
            if (out.size() == node.size()) {
                return out;
            }
        }
        throw new RequestParser.RequestException(source + ": field '" + field + "' must be a glob or a list of globs");
    }

    /** Some files of a tree failed or were refused; the message lists them. */
    public static final class IncompleteTreeException extends IOException {
        IncompleteTreeException(String message) {
            super(message);
        }
    }
}
