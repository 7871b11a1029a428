package dev.ferry.ftp;

/**
 * A password that cannot leak by accident: {@link #toString()} never shows it, so a profile or a request
 * that ends up in a log line or an exception message carries only the mask.
 */
public final class Secret {
    private static final Secret NONE = new Secret("");
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value);
    }

    public static Secret none() {
        return NONE;
    }

    /** The clear text, for the one place that needs it: the PASS command. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    /**
     * {@code text} with every place {@code secret} stands as a word of its own replaced by {@code mask}. Not inside
     * other words: a password of one or two letters, masked wherever its letters occur, showed what it was
     * ("cannot r****ach": "e").
     */
    public static String masked(String text, String secret, String mask) {
        if (text == null || secret == null || secret.isEmpty()) {
            return text;
        }
        return java.util.regex.Pattern.compile("(?<![\\p{L}\\p{N}])" + java.util.regex.Pattern.quote(secret)
                + "(?![\\p{L}\\p{N}])").matcher(text).replaceAll(java.util.regex.Matcher.quoteReplacement(mask));
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "(none)" : "****";
    }
}
