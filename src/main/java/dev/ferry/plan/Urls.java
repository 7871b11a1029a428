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

    /** Whether {@code text} holds a URL ({@code scheme://}) anywhere. */
    public static boolean hasUrl(String text) {
        return text != null && text.contains("://");
    }
}
