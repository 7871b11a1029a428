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

    private static final java.util.regex.Pattern USER_PASSWORD = java.util.regex.Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@\"']*:)[^@\\s/\"']*@");

    /** {@code text} with the password of every URL in it masked ({@code ftp://u:****@host}). */
    public static String maskedIn(String text) {
        return text == null ? null : USER_PASSWORD.matcher(text).replaceAll("$1****@");
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
