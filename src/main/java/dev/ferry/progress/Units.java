package dev.ferry.progress;

import java.util.Locale;

/** Bytes, rates and durations as people read them. */
public final class Units {
    private Units() {
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        // One decimal, rounded half up, without String.format: this runs for every log line and event.
        long tenths = Math.round(v * 10);
        return tenths / 10 + "." + tenths % 10 + " " + units[u];
    }

    public static String rate(double bytesPerSecond) {
        return bytes((long) bytesPerSecond) + "/s";
    }

    /** An ETA of more than a year means no ETA: a stalled transfer's last trickle gave one of millions of hours. */
    private static final long NO_ETA = 365L * 24 * 3600;

    public static String seconds(long s) {
        if (s < 0 || s > NO_ETA) {
            return "--:--";
        }
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    /** A file's modification time (epoch milliseconds) as an instant in UTC to the millisecond; "unknown" below 0. */
    public static String time(long epochMillis) {
        return epochMillis < 0 ? "unknown" : java.time.Instant.ofEpochMilli(epochMillis).toString();
    }
}
