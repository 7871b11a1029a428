package dev.ferry.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.plan.Direction;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * The stand-alone reader of API requests: the request JSON with every field given, absolute paths, a configured
 * server. Each error names the field and says what is expected.
 */
public final class StrictRequestReader implements RequestReader {
    // One JSON value and nothing after it; 4.7 is not a whole number (Jackson would silently take 4); a field named
    // twice is refused (Jackson would keep the last: a request that said two remote paths downloaded the second).
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> FIELDS = Set.of("direction", "server", "remotePath", "localPath", "options");
    private static final String EXAMPLE = "{\"direction\":\"DOWNLOAD\",\"server\":\"demo\",\"remotePath\":\"/a.bin\","
            + "\"localPath\":\"/srv/in/a.bin\"}";

    private final ServerProfiles profiles;

    public StrictRequestReader(ServerProfiles profiles) {
        this.profiles = profiles;
    }

    @Override
    public TransferRequest read(String json) {
        if (json != null && json.startsWith("\uFEFF")) {
            // A byte order mark, as some editors write UTF-8: taken as a request file takes it.
            json = json.substring(1);
        }
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("the request body is empty; send a JSON object such as " + EXAMPLE);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw new IllegalArgumentException("the request body has more after the JSON object (line "
                        + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                        + "); send one JSON object and nothing else");
            }
            throw new IllegalArgumentException("the request body is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the request must be a JSON object such as " + EXAMPLE);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown field \"" + f + "\"; a request has " + FIELDS);
            }
        }
        String direction = text(root, "direction");
        try {
            Direction.valueOf(direction.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"direction\" is \"" + direction + "\"; use DOWNLOAD or UPLOAD");
        }
        String server = text(root, "server");
        if (!profiles.has(server)) {
            profiles.get(server); // throws, listing the configured servers
        }
        String remote = text(root, "remotePath");
        if (!remote.startsWith("/")) {
            throw new IllegalArgumentException("\"remotePath\" must be absolute (start with /): \"" + remote + "\"");
        }
        String local = text(root, "localPath");
        if (!Path.of(local).isAbsolute()) {
            throw new IllegalArgumentException("\"localPath\" must be an absolute path: \"" + local + "\"");
        }
        JsonNode options = root.get("options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw new IllegalArgumentException("\"options\" must be a JSON object, e.g. {\"segments\":4}");
        }
        if (options != null && options.isObject()) {
            try {
                JSON.treeToValue(options, TransferOptions.class).checked();
            } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
                String field = e.getPath().isEmpty() ? ""
                        : "." + e.getPath().get(e.getPath().size() - 1).getFieldName();
                throw new IllegalArgumentException("\"options" + field + "\" cannot be read: "
                        + e.getOriginalMessage());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("\"options\" cannot be read: " + e.getOriginalMessage());
            }
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("direction", direction.toUpperCase(Locale.ROOT));
        try {
            return Requests.fromJson(root.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"options\" cannot be read: " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing; a request looks like " + EXAMPLE);
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a non-empty string");
        }
        if (dev.ferry.plan.Urls.hasUrl(v.asText())) {
            throw new IllegalArgumentException("\"" + field + "\" is a URL (\"" + dev.ferry.plan.Urls.masked(v.asText())
                    + "\"); a request names its server by a profile name and gives plain paths");
        }
        return v.asText();
    }
}
