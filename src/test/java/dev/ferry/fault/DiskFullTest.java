package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.transfer.TransferFailedException;
import dev.ferry.transfer.TransferResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full local disk: an 8 MiB tmpfs as the download directory. The download fails saying the disk is full and naming
 * the file, the ledger says FAILED, nothing appears under the final name; once space is freed a rerun resumes and
 * ends identical. Needs permission to mount (root); skipped otherwise, and a failure under CI=true.
 */
@Tag("fault")
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class DiskFullTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;
    private Path disk;
    private int mountCount;
    private boolean mounted;
    private FtpServerFixture ftp;
    private final FaultSummary summary = new FaultSummary(DiskFullTest.class, 0);

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = Files.createDirectories(tmp.resolve("small-disk-" + mountCount++));
        String out = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString());
        mounted = out == null;
        if (!mounted) {
            String why = "cannot mount an 8 MiB tmpfs for the full-disk test (" + out.strip() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        ftp = FtpServerFixture.builder().ratePerConnection(16 * MIB).start();
    }

    @AfterEach
    void unmount() throws Exception {
        if (ftp != null) {
            ftp.close();
        }
        if (mounted) {
            String out = run("umount", disk.toString());
            assertEquals(null, out, "umount " + disk);
            mounted = false;
        }
    }

    @org.junit.jupiter.api.AfterAll
    void printSummary() {
        summary.print();
    }

    @Test
    void diskFillingUpDuringADownloadFailsClearlyAndResumesOnceSpaceIsFree() throws Exception {
        Path source = ftp.write("big.bin", 6L * MIB, 7);
        Path target = disk.resolve("big.bin");
        Path filler = disk.resolve("someone-elses.bin");
        ServerProfile profile = ServerProfile.builder("disk").host(ftp.host()).port(ftp.port()).user(ftp.user())
                .password(ftp.password()).connectionLimit(4).build();
        TransferRequest request = new TransferRequest(Direction.DOWNLOAD, "disk", "/big.bin", target.toString(),
                TransferOptions.none().withSegments(4).withMinSegmentSize(MIB).withCheckpointBytes(256 * 1024));
        try (FaultRounds f = new FaultRounds(tmp.resolve("ledger"), profile)) {
            // The planner checks the free space (8 MiB) first; another program then takes 4 MiB of it, so the
            // sparse part file runs out of room half way.
            java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
            f.listen(new TransferListener() {
                @Override
                public void transferStart(TransferView t) {
                    if (once.compareAndSet(false, true)) {
                        fill(filler, 4L * MIB);
                    }
                }
            });
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> f.engine.run(request));
            summary.rounds.incrementAndGet();
            summary.faults.incrementAndGet();
            String m = e.getMessage();
            assertTrue(m.toLowerCase(Locale.ROOT).contains("disk is full"), m);
            assertTrue(m.contains("big.bin"), "names the file: " + m);
            assertTrue(m.contains("the partial download of " + java.nio.file.Path.of(request.localPath())),
                    "names the target, not only the hidden part file: " + m);
            TransferRecord record = f.ledger.find(request.id()).orElseThrow();
            assertEquals(TransferStatus.FAILED, record.status(), record.toString());
            assertTrue(record.reason().contains("disk is full"), record.reason());
            assertFalse(Files.exists(target), "nothing under the final name");
            summary.failedClearly.incrementAndGet();
            System.out.println("disk full: " + m);

            Files.delete(filler);
            long sentBefore = ftp.bytesSent();
            TransferResult r = f.engine.run(request);
            assertTrue(r.bytesResumed() > 0, "resumed " + r.bytesResumed());
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            summary.verified.incrementAndGet();
            summary.resent.addAndGet(Math.max(0, ftp.bytesSent() - sentBefore - (6L * MIB - r.bytesResumed())));
        }
    }

    @Test
    void aFileLargerThanTheDiskFailsBeforeAnyByteMoves() throws Exception {
        ftp.write("huge.bin", 12L * MIB, 8);
        Path target = disk.resolve("huge.bin");
        ServerProfile profile = ServerProfile.builder("disk").host(ftp.host()).port(ftp.port()).user(ftp.user())
                .password(ftp.password()).build();
        TransferRequest request = new TransferRequest(Direction.DOWNLOAD, "disk", "/huge.bin", target.toString(),
                TransferOptions.none());
        try (FaultRounds f = new FaultRounds(tmp.resolve("ledger2"), profile)) {
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> f.engine.run(request));
            summary.rounds.incrementAndGet();
            summary.faults.incrementAndGet();
            assertTrue(e.getMessage().contains("not enough space") && e.getMessage().contains("huge.bin"),
                    e.getMessage());
            assertEquals(TransferStatus.FAILED, f.ledger.find(request.id()).orElseThrow().status());
            assertEquals(0, ftp.bytesSent(), "no byte moved");
            assertFalse(Files.exists(target));
            summary.failedClearly.incrementAndGet();
        }
    }

    private static void fill(Path file, long bytes) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] block = new byte[64 * 1024];
            for (long n = 0; n < bytes; n += block.length) {
                raf.write(block);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command; null when it succeeded, else its output (or why it could not run). */
    private static String run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : out + " (exit " + p.exitValue() + ")";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
