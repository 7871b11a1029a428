package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A review of the command line: a download whose part file someone removed while it ran failed with the bare path
 * as its reason ("/x/.a.bin.ferry-….part"). It now says the part file was removed, nothing was published, and that
 * running it again starts over; the next run does.
 */
class PartFileRemovedTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aPartFileRemovedDuringTheDownloadIsSaidSoAndTheNextRunStartsOver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path remote = PseudoRandomContent.write(ftp.file("gone.bin"), 3 * MIB, 91);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path target = out.resolve("gone.bin");
            TransferRequest r = h.download("/gone.bin", target, EngineHarness.slow(2 * MIB));
            CompletableFuture<TransferResult> run = h.runAsync(r);
            Await.until(Duration.ofSeconds(20), () -> h.count("checkpoint") >= 1 && EngineHarness.partFiles(out).size() == 1,
                    () -> "no checkpoint: " + h.events);
            Files.delete(EngineHarness.partFiles(out).get(0));

            ExecutionException failed = assertThrows(ExecutionException.class, run::get);
            Throwable cause = failed.getCause().getCause();
            assertInstanceOf(TransferFailedException.class, cause, String.valueOf(cause));
            String why = cause.getMessage();
            assertTrue(why.contains("was removed during the download") && why.contains("nothing was published")
                    && why.contains("run the transfer again"), why);
            assertFalse(Files.exists(target));

            TransferResult again = h.engine.run(h.download("/gone.bin", target, TransferOptions.none()));
            assertEquals(Hashes.sha256(remote), Hashes.sha256(target));
            assertEquals(0, again.bytesResumed());
            assertEquals(List.of(), EngineHarness.partFiles(out));
        }
    }

    /** One put back under its name (another process's file of the same size) is not published as the download. */
    @Test
    void aPartFileReplacedUnderItsNameIsNeverPublished() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            PseudoRandomContent.write(ftp.file("swap.bin"), 3 * MIB, 92);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Path target = out.resolve("swap.bin");
            CompletableFuture<TransferResult> run = h.runAsync(h.download("/swap.bin", target,
                    EngineHarness.slow(2 * MIB)));
            Await.until(Duration.ofSeconds(20), () -> h.count("checkpoint") >= 1 && EngineHarness.partFiles(out).size() == 1,
                    () -> "no checkpoint: " + h.events);
            Path part = EngineHarness.partFiles(out).get(0);
            Files.delete(part);
            Files.write(part, new byte[3 * MIB]);

            ExecutionException failed = assertThrows(ExecutionException.class, run::get);
            String why = failed.getCause().getCause().getMessage();
            assertTrue(why.contains("was replaced during the download") && why.contains("nothing was published"), why);
            assertFalse(Files.exists(target));
        }
    }
}
