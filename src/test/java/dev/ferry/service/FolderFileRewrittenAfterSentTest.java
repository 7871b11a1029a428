package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of folder transfers: a dropped folder's file rewritten in place after it was sent, its size and
 * time put back ({@code dd conv=notrunc}, then {@code touch -d}, as {@code rsync --inplace -t} leaves it), was
 * skipped as unchanged by the walk before .done/ (the mirror test sees size and time only), and the folder was filed
 * in .done/ as DONE while the server kept the earlier bytes. A file this drop sent is compared with the version the
 * ledger recorded as sent, its change time included, and sent again over its own copy.
 */
class FolderFileRewrittenAfterSentTest {
    private static final int MIB = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    @TempDir
    Path tmp;

    @Test
    void aSentFileRewrittenWithItsSizeAndTimeKeptIsSentAgainBeforeTheFolderIsDone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            try (FerryService service = harness.start()) {
                Path stage = Files.createDirectories(tmp.resolve("stage/Q"));
                PseudoRandomContent.write(stage.resolve("big.bin"), 12 * MIB, 1);
                PseudoRandomContent.write(stage.resolve("small.bin"), 5_000, 2);
                PseudoRandomContent.write(stage.resolve("mid.bin"), 1_500_000, 3);
                for (String name : new String[] {"big.bin", "small.bin", "mid.bin"}) {
                    Files.setLastModifiedTime(stage.resolve(name), LONG_AGO);
                }
                Files.createDirectories(harness.uploadInbox());
                Path dropped = harness.uploadInbox().resolve("Q");
                Files.move(stage, dropped);

                Path serverSmall = ftp.file("incoming/Q/small.bin");
                Path serverMid = ftp.file("incoming/Q/mid.bin");
                Await.until(WAIT, () -> Files.exists(serverSmall) && Files.exists(serverMid)
                        && !Files.exists(ftp.file("incoming/Q/big.bin")), () -> "the small files were not sent first");
                rewriteInPlace(dropped.resolve("small.bin"), 5_000, 12);
                rewriteInPlace(dropped.resolve("mid.bin"), 1_500_000, 13);

                Path done = harness.uploadInbox().resolve(".done/Q");
                Await.until(WAIT, () -> Files.isDirectory(done), () -> "the folder was not filed");
                for (String name : new String[] {"big.bin", "small.bin", "mid.bin"}) {
                    assertEquals(Hashes.sha256(done.resolve(name)), Hashes.sha256(ftp.file("incoming/Q/" + name)),
                            name + ": the server has another version than the one filed in .done/");
                }
            }
        }
    }

    /** Other bytes over the file's own, its size kept and its modification time put back. */
    private static void rewriteInPlace(Path file, int size, long seed) throws Exception {
        byte[] other = PseudoRandomContent.bytes(seed, 0, size);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(other);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
        }
        Files.setLastModifiedTime(file, LONG_AGO);
    }
}
