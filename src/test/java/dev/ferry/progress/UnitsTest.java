package dev.ferry.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void bytesReadLikeThePeopleWhoReadThem() {
        assertEquals("0 B", Units.bytes(0));
        assertEquals("1023 B", Units.bytes(1023));
        assertEquals("1.0 KiB", Units.bytes(1024));
        assertEquals("100.0 KiB", Units.bytes(102_400));
        assertEquals("1.5 MiB", Units.bytes(3L << 19));
        assertEquals("4.0 GiB", Units.bytes(4L << 30));
        assertEquals("2048.0 TiB", Units.bytes(2048L << 40));
        assertEquals("12.3 MiB/s", Units.rate(12.34 * 1024 * 1024));
    }

    @Test
    void bytesRoundLikeFormatDidForEveryValueItPrints() {
        // The hand-written formatting must print what "%.1f" printed, for values on both sides of each rounding edge.
        long[] probes = {1024, 1075, 1076, 1126, 1127, 1048524, 1048525, 1048575, 5_000_000, 1_073_741_823L,
                123_456_789_012L, Long.MAX_VALUE};
        for (long n : probes) {
            double v = n;
            int u = -1;
            while (v >= 1024 && u < 3) {
                v /= 1024;
                u++;
            }
            String expected = String.format(Locale.ROOT, "%.1f %s", v, new String[] {"KiB", "MiB", "GiB", "TiB"}[u]);
            assertEquals(expected, Units.bytes(n), "bytes(" + n + ")");
        }
    }

    @Test
    void aModificationTimeReadsAsADateNotAsMilliseconds() {
        assertEquals("2026-12-04T21:58:09.123Z", Units.time(1_796_421_489_123L));
        assertEquals("unknown", Units.time(-1));
    }

    @Test
    void anEtaIsShownOnlyWhenItMeansSomething() {
        assertEquals("--:--", Units.seconds(-1));
        assertEquals("00:59", Units.seconds(59));
        assertEquals("1:00:00", Units.seconds(3600));
        assertEquals("240:00:00", Units.seconds(240 * 3600));
        // A stalled transfer's rate of a few bytes a second gave "ETA 2562047788015215:30:07".
        assertEquals("--:--", Units.seconds(Long.MAX_VALUE / 1000));
    }
}
