package dev.ferry.plan;

/** URLs as text that may be shown: a password in one is masked, whatever the scheme. */
public final class Urls {
    private Urls() {
    }

    /** {@code url} with the password of its user part, if any, as {@code ****}: {@code ftp://u:****@host/a}. */
    public static String masked(String url) {
        int slashes = url.indexOf("//");
        int start = slashes >= 0 ? slashes + 2 : url.indexOf(':') + 1;
        while (start < url.length() && url.charAt(start) == '/') {
            start++;
        }
        int firstAt = url.indexOf('@', start);
        if (firstAt < 0) {
            return url;
        }
        int path = url.indexOf('/', firstAt);
        int at = url.lastIndexOf('@', (path < 0 ? url.length() : path) - 1);
        int colon = url.indexOf(':', start);
        if (colon < 0 || colon > at) {
            return url;
        }
        return url.substring(0, colon) + ":****" + url.substring(at);
    }

    /**
     * A URL's user part, as far as it can be told in text that may be escaped JSON ({@code :\/\/}, {@code \u003a}):
     * everything after {@code scheme://user:} up to the last {@code @} before white space or a quote is the password.
     * Greedy on purpose: masking too much of a refused body costs nothing, showing a password does.
     */
    private static final java.util.regex.Pattern USER_PASSWORD = java.util.regex.Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]*(?::|\\\\u003[aA])(?:\\\\?/){2}[^/\\\\\\s:@\"']*:)(?:\\\\.|[^\\s\"'])*@");

    /**
     * {@code text} with the password of every URL in it masked ({@code ftp://u:****@host}). JSON is read and every
     * string in it masked as {@link #masked} would (whatever the escapes, a password with {@code /}, {@code @} or a
     * space), and written again if anything was; other text is masked by its look.
     */
    public static String maskedIn(String text) {
        if (text == null) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode tree = Requests.Mapper.JSON.readTree(text);
            if (tree != null && tree.isContainerNode()) {
                return maskStrings(tree) ? Requests.Mapper.JSON.writeValueAsString(tree) : text;
            }
        } catch (java.io.IOException notJson) {
            // Masked by its look below.
        }
        return USER_PASSWORD.matcher(text).replaceAll("$1****@");
    }

    /** Masks every string value (and key) of {@code node} that holds a URL's password; true if any did. */
    private static boolean maskStrings(com.fasterxml.jackson.databind.JsonNode node) {
        boolean changed = false;
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            java.util.List<String> names = new java.util.ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                com.fasterxml.jackson.databind.JsonNode value = object.get(name);
                if (value.isTextual() && !masked(value.asText()).equals(value.asText())) {
                    object.put(name, masked(value.asText()));
                    changed = true;
                } else {
                    changed |= maskStrings(value);
                }
                if (!masked(name).equals(name)) {
                    object.set(masked(name), object.remove(name));
                    changed = true;
                }
            }
        } else if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                com.fasterxml.jackson.databind.JsonNode value = array.get(i);
                if (value.isTextual() && !masked(value.asText()).equals(value.asText())) {
                    array.set(i, array.textNode(masked(value.asText())));
                    changed = true;
                } else {
                    changed |= maskStrings(value);
                }
            }
        }
        return changed;
    }

    /**
     * A message body as it may be passed on (a dead letter, whose default is the log): text with each URL's password
     * masked, as text or UTF-8 bytes as it came; any other body, or one without such a password, as it is.
     */
    public static Object maskedBody(Object body) {
        if (body instanceof String text) {
            return maskedIn(text);
        }
        if (body instanceof byte[] bytes) {
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            String masked = maskedIn(text);
            return masked.equals(text) ? bytes : masked.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return body;
    }

    /** Whether {@code text} holds a URL ({@code scheme://}) anywhere. */
    public static boolean hasUrl(String text) {
        return text != null && text.contains("://");
    }
}
