package dev.ferry.camel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.source.SourceState;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a download (or upload) request from JSON:
 * <pre>{@code {"server":"demo","remotePath":"/reports/a.bin","localPath":"a.bin","options":{"segments":4}}}</pre>
 * {@code direction} defaults to DOWNLOAD; {@code server} to the endpoint's or the default server; {@code localPath}
 * to the remote file's name. Every error names the request (its file, or the message) and the field, so a person can
 * fix the file without reading code. Paths are only read here; they are checked where they are resolved.
 */
public final class RequestParser {
    // One JSON value and nothing after it; 4.7 is not a whole number (Jackson would silently take 4); a field named
    // twice is refused (Jackson would keep the last: a request that said two remote paths downloaded the second).
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** A request is a few hundred bytes; anything this large is not one (and is refused before it is parsed). */
    public static final int MAX_BYTES = 64 * 1024;
    private static final Set<String> FIELDS = orderedSet("direction", "server", "remotePath", "localPath", "options");
    /**
     * The fields only a folder request has: {@code tree.TreeRequests} takes them off before the rest is parsed here,
     * so here they name a file's request that carries one.
     */
    public static final Set<String> FOLDER_FIELDS = orderedSet("recursive", "include", "exclude", "newerThan",
            "delete", "relist");
    private static final Set<String> OPTIONS = orderedSet("segments", "minSegmentSize", "checkpointBytes",
            "checkpointMillis", "uploadStrategy", "verifyChecksum", "rateLimit", "maxAttempts", "overwrite",
            "fileExist");
    /** Every field a request may have, as the refusal of an unknown one lists them: the sets checked, not a copy. */
    private static final Set<String> ACCEPTED = union(FIELDS, FOLDER_FIELDS);

    private RequestParser() {
    }

    /** A request as read, before defaults and path checks: every field but remotePath may be null. */
    public record Parsed(Direction direction, String server, String remotePath, String localPath,
                         TransferOptions options) {
    }

    public static Parsed parse(String json, String source) {
        if (json != null && json.startsWith("\uFEFF")) {
            // A byte order mark, as some editors write UTF-8: taken as a request file takes it.
            json = json.substring(1);
        }
        if (json == null || json.isBlank()) {
            throw new RequestException(source + ": the request is empty; expected a JSON object such as "
                    + "{\"server\":\"demo\",\"remotePath\":\"/reports/a.bin\",\"localPath\":\"a.bin\"}");
        }
        if (json.length() > MAX_BYTES) {
            throw new RequestException(source + ": request too large (max 64 KiB); a request is one small JSON object");
        }
        if (json.indexOf('\uFFFD') >= 0) {
            // What a body's bytes that are not UTF-8 were decoded as (a queue message, an API call): a file name made
            // of them would not be the one meant. A request file is refused so before it is decoded.
            throw new RequestException(source + ": not valid UTF-8 (a byte sequence that is not UTF-8 was read as"
                    + " U+FFFD); send the request as UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw new RequestException(source + ": there is more after the JSON object" + where
                        + "; a request is one JSON object and nothing else", e);
            }
            throw new RequestException(source + ": malformed JSON" + where + ": "
                    + withoutSource(e.getOriginalMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new RequestException(source + ": expected a JSON object, found " + kind(root));
        }
        return parseNode(root, source);
    }

    public static Parsed parse(Map<?, ?> map, String source) {
        return parseNode(JSON.valueToTree(map), source);
    }

    private static Parsed parseNode(JsonNode root, String source) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (FOLDER_FIELDS.contains(name)) {
                throw new RequestException(source + ": field '" + name + "' is for a folder request (a remotePath"
                        + " ending in /, or \"recursive\": true)");
            }
            if (!FIELDS.contains(name)) {
                String option = OPTIONS.contains(name) ? " ('" + name + "' is an option: \"options\":{\"" + name
                        + "\": ...})" : "";
                throw new RequestException(source + ": unknown field '" + name + "'" + option + "; a request has "
                        + ACCEPTED);
            }
        }
        Direction direction = Direction.DOWNLOAD;
        String d = text(root, "direction", source, false);
        if (d != null) {
            try {
                direction = Direction.valueOf(d.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new RequestException(source + ": field 'direction' is '" + d + "'; expected DOWNLOAD or UPLOAD");
            }
        }
        String server = text(root, "server", source, false);
        String remotePath = text(root, "remotePath", source, true);
        String localPath = text(root, "localPath", source, false);
        TransferOptions options = TransferOptions.none();
        JsonNode o = root.get("options");
        if (o != null && !o.isNull()) {
            if (!o.isObject()) {
                throw new RequestException(source + ": field 'options' must be an object such as {\"segments\":4},"
                        + " found " + kind(o));
            }
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!OPTIONS.contains(name)) {
                    throw new RequestException(source + ": unknown field 'options." + name + "'; options are "
                            + OPTIONS);
                }
            }
            try {
                options = JSON.treeToValue(o, TransferOptions.class);
            } catch (InvalidFormatException e) {
                throw new RequestException(source + ": field 'options." + field(e) + "' has the value '"
                        + e.getValue() + "', which is not a " + simple(e.getTargetType()), e);
            } catch (MismatchedInputException e) {
                throw new RequestException(source + ": field 'options." + field(e) + "' must be a "
                        + simple(e.getTargetType()), e);
            } catch (ValueInstantiationException e) {
                // A value the option's own type refused (fileExist "Replace"): its words, not Jackson's.
                throw new RequestException(source + ": field 'options." + field(e) + "': "
                        + (e.getCause() instanceof IllegalArgumentException a ? a.getMessage()
                        : e.getOriginalMessage()), e);
            } catch (JsonProcessingException e) {
                throw new RequestException(source + ": field 'options' cannot be read: " + e.getOriginalMessage(), e);
            }
            try {
                options.checked();
            } catch (IllegalArgumentException e) {
                throw new RequestException(source + ": " + e.getMessage());
            }
        }
        return new Parsed(direction, server, remotePath, localPath, options);
    }

    /**
     * The text of a request file, for the request inbox's route: at most {@link #MAX_BYTES}, and UTF-8 (a file saved
     * as Latin-1 is refused in words, not decoded into garbage or a type-conversion error).
     */
    public static String requestFileText(org.apache.camel.Exchange exchange) {
        File file = exchange.getIn().getBody(File.class);
        String source = "request file " + (file == null ? "?" : file.getPath());
        try {
            if (file == null) {
                throw new RequestException(source + ": no file in the message");
            }
            FerryComponent ferry = exchange.getContext().getComponent("ferry", FerryComponent.class);
            SourceState version = RequestFileDone.before(file.toPath());
            byte[] bytes = RequestFiles.read(file.toPath(), ferry != null && ferry.isFollowLinks(), source);
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                RequestFileDone.remember(exchange, version, text);
                // A byte-order mark (Windows editors write one when saving as UTF-8) is not JSON, nor part of it.
                return text.startsWith("\uFEFF") ? text.substring(1) : text;
            } catch (CharacterCodingException e) {
                throw new RequestException(source + ": not valid UTF-8; save the request file as UTF-8 and drop it"
                        + " again");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Listed in a refusal in the order written here, which is the order a person reads a request in. */
    private static Set<String> orderedSet(String... names) {
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(java.util.List.of(names)));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.LinkedHashSet<>(a);
        all.addAll(b);
        return java.util.Collections.unmodifiableSet(all);
    }

    /** Jackson's message without its "(start marker at [Source: ...])" tail, which names no file a person knows. */
    private static String withoutSource(String message) {
        int at = message == null ? -1 : message.indexOf(" (start marker at");
        return at < 0 ? message : message.substring(0, at);
    }

    private static String text(JsonNode root, String field, String source, boolean required) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new RequestException(source + ": field '" + field + "' is " + (n == null ? "missing"
                        : "null; give it a string"));
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new RequestException(source + ": field '" + field + "' must be a string, found " + kind(n));
        }
        if (required && n.asText().isBlank()) {
            throw new RequestException(source + ": field '" + field + "' is empty");
        }
        if (dev.ferry.plan.Urls.hasUrl(n.asText())) {
            // A URL with a password would be logged, recorded and echoed as the path or profile name it is not.
            throw new RequestException(source + ": field '" + field + "' is a URL ('"
                    + dev.ferry.plan.Urls.masked(n.asText()) + "'); a request names its server by a profile name"
                    + " (ferry.servers.<name>.*, the password in the environment) and gives plain paths");
        }
        return n.asText();
    }

    private static String field(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        e.getPath().forEach(r -> b.append(b.length() > 0 ? "." : "").append(r.getFieldName()));
        return b.toString();
    }

    private static String simple(Class<?> type) {
        if (type == null) {
            return "value of the right type";
        }
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
            return "whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return type.getSimpleName();
    }

    private static String kind(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** A request that cannot be read or is not allowed; the message names the request and the field. */
    public static final class RequestException extends IllegalArgumentException {
        public RequestException(String message) {
            super(message);
        }

        public RequestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
