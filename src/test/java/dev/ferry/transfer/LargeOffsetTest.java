package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteFile;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 64-bit offsets: a segment that starts beyond 4 GiB resumes there. Sparse files keep it cheap. */
class LargeOffsetTest {
    private static final long MIB = 1 << 20;
    private static final long FOUR_GIB = 4L << 30;
    @TempDir
    Path tmp;

    @Test
    void resumesASegmentThatStartsBeyondFourGibibytes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            long size = FOUR_GIB + 16 * MIB;
            Path source = ftp.file("sparse.bin");
            try (RandomAccessFile raf = new RandomAccessFile(source.toFile(), "rw")) {
                raf.setLength(size);
            }
            writeAt(source, FOUR_GIB, PseudoRandomContent.bytes(31, 0, (int) (16 * MIB)));
            Path target = tmp.resolve("sparse.bin");
            TransferRequest request = h.engine.accept(h.download("/sparse.bin", target, TransferOptions.none()));
            RemoteFile remote;
            try (FtpSession session = FtpSession.open(h.profile, null)) {
                remote = session.stat("/sparse.bin");
            }
            // An earlier run got everything below 4 GiB + 1 MiB; the part file holds those bytes.
            long resumeAt = FOUR_GIB + MIB;
            Path part = PartFiles.localPart(target, request.id(), h.ledger.instance());
            try (RandomAccessFile raf = new RandomAccessFile(part.toFile(), "rw")) {
                raf.setLength(size);
            }
            writeAt(part, FOUR_GIB, PseudoRandomContent.bytes(31, 0, (int) MIB));
            h.ledger.start(request.id(), remote.size(), remote.mtime(), List.of(
                    new SegmentRecord(0, 0, FOUR_GIB, FOUR_GIB, true),
                    new SegmentRecord(1, FOUR_GIB, size, resumeAt, false)));

            TransferResult result = h.engine.run(request);

            assertEquals(resumeAt, result.bytesResumed());
            assertEquals(size - resumeAt + DownloadMover.OVERLAP, ftp.bytesSent(),
                    "only the rest crossed the network, and the 64 KiB before it read again to compare");
            assertEquals(size, Files.size(target));
            assertEquals(tailHash(source, FOUR_GIB - MIB), tailHash(target, FOUR_GIB - MIB));
        }
    }

    private static void writeAt(Path file, long position, byte[] bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long at = position;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
        }
    }

    /** SHA-256 of the bytes from {@code from} to the end: the region this test is about, without 4 GiB of zeros. */
    private static String tailHash(Path file, long from) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return Hashes.sha256(java.nio.channels.Channels.newInputStream(ch.position(from)));
        }
    }
}
