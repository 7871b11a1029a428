package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A review of the command line: a download stopped half-way whose remote file was then replaced by another of the
 * same size and time (a rewrite within the same second, {@code touch -r}) resumed onto the old version's bytes, and
 * the embedded server, which has no hash, let the mixture be published as verified by size and time. A resumed
 * segment reads the 64 KiB before its offset again and compares them with the part file.
 */
class ReplacedSameSizeAndTimeTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aResumedDownloadOfAFileReplacedWithItsSizeAndTimeKeptStartsOver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path remote = PseudoRandomContent.write(ftp.file("twin.bin"), 4 * MIB, 81);
            FileTime mtime = Files.getLastModifiedTime(remote);
            Path target = tmp.resolve("twin.bin");
            h.stopAfterFirstCheckpoint(h.download("/twin.bin", target, EngineHarness.slow(MIB)));
            PseudoRandomContent.write(remote, 4 * MIB, 82);
            Files.setLastModifiedTime(remote, mtime);

            h.engine.run(h.download("/twin.bin", target, TransferOptions.none()));

            assertEquals(Hashes.sha256(remote), Hashes.sha256(target), "a mixture of the two versions: " + h.events);
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("restarted") && e.contains("differ")), h.events.toString());
        }
    }

    /** Without a change the comparison passes, and the download goes on from where it was. */
    @Test
    void aResumedDownloadOfAnUnchangedFileGoesOn() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path remote = PseudoRandomContent.write(ftp.file("same.bin"), 4 * MIB, 83);
            Path target = tmp.resolve("same.bin");
            h.stopAfterFirstCheckpoint(h.download("/same.bin", target, EngineHarness.slow(MIB)));

            TransferResult r = h.engine.run(h.download("/same.bin", target, TransferOptions.none()));

            assertEquals(Hashes.sha256(remote), Hashes.sha256(target));
            assertTrue(r.bytesResumed() > 0, "started over: " + h.events);
        }
    }
}
