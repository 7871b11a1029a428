package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A review of the command line: two {@code ferry get} of one remote file to one local path, each with its own
 * {@code --ledger}, have one transfer id and had one part file between them. The second deleted and recreated it under
 * the first, which then published what the second had written so far (zeros) and said "verified". The local part
 * file's name now carries the ledger's instance, as the server's temporary name does ({@link TempNamePerLedgerTest}).
 */
class PartFilePerLedgerTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void anotherLedgersDownloadToTheSamePathLeavesTheFirstOnesPartFileAlone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness first = new EngineHarness(tmp.resolve("ledger-a"), EngineHarness.profileFor(ftp).build());
             EngineHarness second = new EngineHarness(tmp.resolve("ledger-b"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(ftp.file("same.bin"), 4 * MIB, 71);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path target = out.resolve("same.bin");
            TransferRequest a = first.download("/same.bin", target, EngineHarness.slow(MIB));
            first.stopAfterFirstCheckpoint(a);
            Path firstsPart = EngineHarness.partFiles(out).get(0);
            String firstsBytes = Hashes.sha256(firstsPart);

            TransferRequest b = second.download("/same.bin", target, TransferOptions.none());
            assertEquals(a.id(), b.id(), "the case under test: one transfer id in two ledgers");
            second.engine.run(b);

            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(Files.exists(firstsPart), "the other ledger's download took the first one's part file");
            assertEquals(firstsBytes, Hashes.sha256(firstsPart), "and wrote into it");

            // The first resumes from its own part file and publishes the remote file's bytes, replacing the second's.
            TransferResult resumed = first.engine.run(first.download("/same.bin", target,
                    TransferOptions.none().withFileExist(dev.ferry.plan.FileExist.OVERRIDE)));
            assertTrue(resumed.bytesResumed() > 0, "started over: " + first.events);
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertEquals(List.of(), EngineHarness.partFiles(out), "a part file left");
        }
    }

    /** A download under way when Ferry was upgraded has its part file under the name without the instance. */
    @Test
    void aDownloadBegunUnderTheOldNameResumesFromIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(ftp.file("old.bin"), 4 * MIB, 73);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path target = out.resolve("old.bin");
            TransferRequest a = h.download("/old.bin", target, EngineHarness.slow(MIB));
            h.stopAfterFirstCheckpoint(a);
            Path now = EngineHarness.partFiles(out).get(0);
            Path legacy = PartFiles.legacyLocalPart(target, a.id());
            assertNotEquals(now, legacy);
            Files.move(now, legacy);

            TransferResult r = h.engine.run(h.download("/old.bin", target, TransferOptions.none()));

            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(r.bytesResumed() > 0, "started over: " + h.events);
            assertEquals(List.of(), EngineHarness.partFiles(out), "a part file left");
            assertFalse(Files.exists(legacy));
        }
    }
}
