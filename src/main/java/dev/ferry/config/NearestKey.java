package dev.ferry.config;

import java.util.Collection;
import java.util.Optional;

/**
 * The known key a mistyped one most likely meant ({@code ferry.servers.x.prot} → {@code ferry.servers.x.port}).
 * Keys are compared segment by segment, so a typo in one segment is not matched against a key that differs in
 * another; a key with a segment too many or too few is compared as a whole.
 */
final class NearestKey {
    /** No suggestion beyond this: three edits turn most short words into any other. */
    private static final int MAX_EDITS = 3;

    private NearestKey() {
    }

    /** The closest of {@code known}, if it is close enough to be a typo of {@code key}; ties go to the first. */
    static Optional<String> among(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = keyDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance > 0 && bestDistance <= limit(key) ? Optional.of(best) : Optional.empty();
    }

    /** A third of the last segment's length, 1 to 3 edits: "prot" may be one edit off, "passwd" two. */
    static int limit(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1);
        return Math.max(1, Math.min(MAX_EDITS, last.length() / 3));
    }

    /** Sum of the segments' distances when both have as many segments, else the distance of the whole strings. */
    static int keyDistance(String a, String b) {
        String[] as = a.split("\\.", -1);
        String[] bs = b.split("\\.", -1);
        if (as.length != bs.length) {
            return distance(a, b);
        }
        int sum = 0;
        for (int i = 0; i < as.length; i++) {
            sum += distance(as[i], bs[i]);
        }
        return sum;
    }

    /**
     * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours each count
     * one (a swap is the commonest typo: "uplaod"), case ignored.
     */
    static int distance(String a, String b) {
        a = a.toLowerCase(java.util.Locale.ROOT);
        b = b.toLowerCase(java.util.Locale.ROOT);
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
