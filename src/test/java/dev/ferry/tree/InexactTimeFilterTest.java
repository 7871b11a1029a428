package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Calendar;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: vsftpd's LIST gives a time to the minute (to the day for an older file), and --newer-than
 * compared it as exact: a file modified at 10:00:45 listed as 10:00 was left out by --newer-than 10:00:30, and one of
 * 12:00 on a day listed as that day's midnight by --newer-than 06:00. Near the moment, the exact time is asked.
 */
class InexactTimeFilterTest {
    @TempDir
    Path tmp;

    @Test
    void aFileListedWithAnInexactTimeNearTheMomentIsJudgedByItsExactTime() throws Exception {
        try (TreeHarness h = new TreeHarness(FtpServerFixture.builder().start(), tmp.resolve("ledger"))) {
            FtpServerFixture ftp = h.ftp;
            Instant recent = Instant.parse("2026-12-05T10:00:45Z");
            Instant day = Instant.parse("2026-01-01T12:00:00Z");
            Files.setLastModifiedTime(ftp.write("t/recent.txt", 10, 1), FileTime.from(recent));
            Files.setLastModifiedTime(ftp.write("t/day.txt", 10, 2), FileTime.from(day));
            Files.setLastModifiedTime(ftp.write("t/older.txt", 10, 3),
                    FileTime.from(Instant.parse("2025-06-01T12:00:00Z")));
            PooledListing real = h.listing();
            // As LIST gives them: recent.txt to the minute, the others to the day.
            ListingSource asList = (dir, each) -> {
                real.list(dir, f -> {
                    if (f != null && f.getTimestamp() != null) {
                        Calendar c = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
                        c.setTimeInMillis(f.getTimestamp().getTimeInMillis());
                        c.set(Calendar.SECOND, 0);
                        c.set(Calendar.MILLISECOND, 0);
                        if (!f.getName().equals("recent.txt")) {
                            c.set(Calendar.HOUR_OF_DAY, 0);
                            c.set(Calendar.MINUTE, 0);
                        }
                        f.setTimestamp(c);
                    }
                    each.accept(f);
                });
                return false;
            };
            TreeRun run = h.run(asList);
            Path a = tmp.resolve("a");
            TreeResult r = run.download("/t/", a, TransferOptions.none(),
                    new TreeFilter(null, null, Instant.parse("2026-12-05T10:00:30Z"), false));
            assertTrue(Files.exists(a.resolve("recent.txt")), "left out by its time to the minute: " + r);
            assertFalse(Files.exists(a.resolve("day.txt")), r.toString());
            Path b = tmp.resolve("b");
            r = h.run(asList).download("/t/", b,
                    TransferOptions.none(), new TreeFilter(null, null, Instant.parse("2026-01-01T06:00:00Z"),
                            false));
            assertTrue(Files.exists(b.resolve("day.txt")), "left out by its time to the day: " + r);
            assertFalse(Files.exists(b.resolve("older.txt")), "far from the moment: judged by the listing");
            assertEquals(2, r.transferred(), r.toString());
        }
    }
}
