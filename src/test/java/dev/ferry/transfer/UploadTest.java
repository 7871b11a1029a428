package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class UploadTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void parallelInPlaceWhereTheServerWritesInPlace() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("up.bin"), 40 * MIB, 21);
            TransferResult r = h.engine.run(h.upload(source, "/in/deep/up.bin", TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("in/deep/up.bin")));
            assertEquals("start 4", h.events.get(0));
            assertTrue(ftp.maxConcurrentSessions() >= 4, "parallel: " + ftp.maxConcurrentSessions());
            assertEquals(40 * MIB, r.size());
            assertNoTemporaryFiles(ftp.file("in/deep"));
        }
    }

    @Test
    void aParallelUploadLogsInItsSegmentsSessionsWhilePlanning() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("warm.bin"), 32 * MIB, 28);
            var request = h.engine.accept(h.upload(source, "/warm.bin", TransferOptions.none()));
            LiveTransfer t = h.engine.plan(request);
            assertEquals(4, t.segments().size());
            Await.until(Duration.ofSeconds(10), () -> ftp.loginCount() == 4, () -> "logins: " + ftp.loginCount());
            List<Thread> segments = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (var s : t.segments()) {
                Thread thread = new Thread(() -> {
                    try {
                        h.engine.runSegment(t, s.index());
                    } catch (TransferFailedException e) {
                        failures.add(e);
                    }
                });
                thread.start();
                segments.add(thread);
            }
            for (Thread thread : segments) {
                thread.join(30_000);
            }
            assertEquals(List.of(), failures);
            h.engine.publish(t);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("warm.bin")));
            assertEquals(4, ftp.loginCount(), "the segments used the pre-opened sessions");
        }
    }

    @Test
    void uploadsIntoOneDirectoryMakeItOnceAndAgainWhenItIsRemoved() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).connectionLimit(1).build())) {
            List<Path> sources = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sources.add(PseudoRandomContent.write(tmp.resolve("s" + i + ".bin"), 50_000 + i, 40 + i));
            }
            for (int i = 0; i < 3; i++) {
                h.engine.run(h.upload(sources.get(i), "/drops/day/s" + i + ".bin", TransferOptions.none()));
            }
            // One session (connection limit 1): the directory was made once, not asked for per file.
            assertEquals(2, ftp.commandCount("MKD"), "MKD /drops and /drops/day, once");
            assertEquals(0, ftp.commandCount("CWD"), "no directory check per file");
            // Someone removes the directory under the running session: the next upload makes it again.
            try (Stream<Path> files = Files.list(ftp.file("drops/day"))) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(ftp.file("drops/day"));
            for (int i = 3; i < 6; i++) {
                h.engine.run(h.upload(sources.get(i), "/drops/day/s" + i + ".bin", TransferOptions.none()));
            }
            for (int i = 3; i < 6; i++) {
                assertEquals(Hashes.sha256(sources.get(i)), Hashes.sha256(ftp.file("drops/day/s" + i + ".bin")));
            }
            // Made again once, level by level (/drops exists, /drops/day is new), after the refused STOR.
            assertEquals(4, ftp.commandCount("MKD"), "MKD /drops and /drops/day again, once");
            assertEquals(1, ftp.loginCount());
        }
    }

    @Test
    void sequentialWhereRestStoreTruncates() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("seq.bin"), 20 * MIB, 22);
            h.engine.run(h.upload(source, "/seq.bin", TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("seq.bin")));
            assertEquals("start 1", h.events.get(0), "a truncating server gets one sequential stream");
        }
    }

    @Test
    void sequentialUploadResumesFromTheServersSizeAfterACut() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("cut.bin"), 16 * MIB, 23);
            proxy.cutEveryDataAfter(5 * MIB);
            TransferResult r = h.engine.run(h.upload(source, "/cut.bin", TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("cut.bin")));
            assertTrue(r.retries() >= 2, "retries " + r.retries());
            // Each retry asks SIZE and sends only the rest: far less than a restart from 0 each time.
            assertTrue(ftp.bytesReceived() < 16 * MIB + 2 * MIB, "received " + ftp.bytesReceived());
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anUploadWhoseServerStopsTakingBytesIsCutAndResumes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).dataTimeout(Duration.ofSeconds(1)).build())) {
            // Far more than the socket buffers on both sides of the proxy hold: a write blocks once they are full.
            Path source = PseudoRandomContent.write(tmp.resolve("stall.bin"), 48 * MIB, 29);
            // A first upload has the server's capabilities probed, so the stall lands on the upload's own stream.
            h.engine.run(h.upload(PseudoRandomContent.write(tmp.resolve("first.bin"), 1000, 30), "/first.bin",
                    TransferOptions.none()));
            proxy.stallDataAfter(2 * MIB);
            TransferResult r = h.engine.run(h.upload(source, "/stall.bin",
                    TransferOptions.none().withUploadStrategy(UploadStrategy.SEQUENTIAL)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("stall.bin")));
            assertEquals(1, proxy.faultsInjected());
            assertTrue(r.retries() >= 1, "retries " + r.retries());
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("retry ") && e.contains("took no byte for 1 s")),
                    "the stall named as such: " + h.events);
        }
    }

    @Test
    void frequentCutsDoNotExhaustTheAttemptsWhileTheServerKeepsGaining() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            long size = 12 * MIB + 5;
            Path source = PseudoRandomContent.write(tmp.resolve("often.bin"), size, 25);
            // Every data connection is cut after 750 KB: about seventeen attempts, three allowed in a row without
            // progress. What counts as progress is what the server's SIZE confirms, not what left this process.
            proxy.cutEveryDataAfter(750 * 1024);
            TransferResult r = h.engine.run(h.upload(source, "/often.bin",
                    TransferOptions.none().withUploadStrategy(UploadStrategy.SEQUENTIAL).withMaxAttempts(3)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("often.bin")));
            assertTrue(r.retries() >= 10, "retries " + r.retries());
            assertTrue(proxy.faultsInjected() >= 10, "cuts " + proxy.faultsInjected());
        }
    }

    /**
     * A hostile review: an upload that starts over on every attempt (RESTART: the server keeps nothing of a broken one,
     * or the probe chose it for a full disk) on a link that cuts at varying points retried for ever: a cut later than
     * the last counted as progress, though the server kept nothing. Nothing it sends is kept until the whole file is:
     * each broken attempt is one without progress, and the attempts run out.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anUploadThatStartsOverEachTimeGivesUpWhenEveryAttemptBreaks() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            // Far more than the socket buffers hold, so what was written when the cut came grows with the cut.
            Path source = PseudoRandomContent.write(tmp.resolve("restart.bin"), 48 * MIB, 31);
            proxy.cutEveryDataAfterGrowing(256 * 1024, 512 * 1024);
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> h.engine.run(h.upload(
                    source, "/restart.bin", TransferOptions.none().withUploadStrategy(UploadStrategy.RESTART)
                            .withMaxAttempts(3))));
            assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
            long retries = h.events.stream().filter(x -> x.startsWith("retry ")).count();
            assertEquals(2, retries, "three attempts, two retries: " + h.events);
        }
    }

    /**
     * A server that takes bytes far slower than the socket buffers fill: a chunk is in the buffers at once, and the
     * server's 226 comes when it has read them, long after the control connection's read timeout. The upload failed
     * with "Read timed out" after minutes (a review: vsftpd at 50 KB/s); it waits for the server as long as the
     * server keeps taking bytes.
     */
    @Test
    void aParallelUploadToAServerFarSlowerThanTheSocketBuffersFinishes() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(48 * 1024).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp)
                     .soTimeout(java.time.Duration.ofSeconds(1)).build())) {
            // Each chunk's 226 comes about 5 s after its bytes were written: five read timeouts.
            Path source = PseudoRandomContent.write(tmp.resolve("slow.bin"), 768 * 1024, 33);
            TransferResult r = h.engine.run(h.upload(source, "/slow.bin", TransferOptions.none().withSegments(2)
                    .withMinSegmentSize(384 * 1024).withUploadStrategy(UploadStrategy.PARALLEL)
                    .withCheckpointBytes(256 * 1024).withMaxAttempts(2)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("slow.bin")));
            assertTrue(ftp.bytesReceived() < 768 * 1024 + 128 * 1024, "sent again: " + ftp.bytesReceived() + " "
                    + h.events);
        }
    }

    /**
     * A hostile review: a parallel upload resumed onto its partial copy on the server after that copy had been cut short
     * (a clean-up job, a quota, restored storage) and published it "verified by size": the segments above the cut made
     * the size right again, with zeros where the lost bytes had been. A copy shorter than what the server confirmed is
     * not resumed: the upload starts over.
     */
    @Test
    void aParallelUploadWhosePartialCopyShrankStartsOver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(2 * MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("shrunk.bin"), 24 * MIB, 32);
            TransferRequest request = h.upload(source, "/shrunk.bin", TransferOptions.none().withSegments(4)
                    .withUploadStrategy(UploadStrategy.PARALLEL).withCheckpointBytes(256 * 1024));
            java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    h.engine.run(request);
                } catch (Exception e) {
                    // Cancelled below.
                }
            });
            dev.ferry.testing.Await.until(java.time.Duration.ofSeconds(30), () -> h.ledger.segments(request.id())
                    .stream().filter(x -> x.offset() > x.start()).count() >= 2, () -> "no checkpoints");
            h.engine.cancel(request.id());
            first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            Path temp;
            try (var files = Files.list(ftp.root())) {
                temp = files.filter(p -> p.getFileName().toString().endsWith(".part")).findFirst().orElseThrow();
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(temp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(1000);
            }
            h.engine.run(h.upload(source, "/shrunk.bin", TransferOptions.none().withSegments(4)
                    .withUploadStrategy(UploadStrategy.PARALLEL).withCheckpointBytes(256 * 1024)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("shrunk.bin")));
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("restarted ") && e.contains("shorter than the bytes it confirmed")),
                    "the start over said why: " + h.events);
        }
    }

    @Test
    void aRenameWhoseReplyWasLostIsRecognisedNotRepeated() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().loseRenameReplies(1).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("renamed.bin"), 3 * MIB + 9, 26);
            TransferResult r = h.engine.run(h.upload(source, "/renamed.bin", TransferOptions.none()));
            assertEquals(1, ftp.lostRenameReplies());
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("renamed.bin")));
            assertTrue(r.verification().contains("renamed before the connection dropped"), r.verification());
            assertNoTemporaryFiles(ftp.root());
            // The data went once (besides the capability probe's few bytes): the publish retry sent nothing again.
            long beyond = ftp.bytesReceived() - (3 * MIB + 9);
            assertTrue(beyond >= 0 && beyond < 100, "received " + beyond + " bytes beyond the file");
        }
    }

    @Test
    void parallelUploadSurvivesCutConnections() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("pcut.bin"), 32 * MIB, 24);
            // Each chunk is its own data connection: cut one chunk after another, six times in all.
            Thread cutter = new Thread(() -> {
                // Armed only once segments move, so the probe's tiny connections do not take the cuts.
                Await.until(Duration.ofSeconds(20), () -> h.count("segmentStart") >= 2, () -> "no segments");
                for (int armed = 1; armed <= 6 && !Thread.currentThread().isInterrupted(); armed++) {
                    proxy.cutDataAfter(MIB);
                    int wanted = armed;
                    Await.until(Duration.ofSeconds(20), () -> proxy.faultsInjected() >= wanted, () -> "cut " + wanted);
                }
            });
            cutter.start();
            // Chunks of 2 MiB (16 data connections) at 16 MiB/s: a new connection opens every ~0.5 s per segment, so
            // each cut, armed within milliseconds of the last, finds one. Unthrottled, with 4 chunks per segment, the
            // upload could finish before the third cut was armed.
            h.engine.run(h.upload(source, "/pcut.bin", TransferOptions.none().withMaxAttempts(20)
                    .withCheckpointBytes(2 * MIB).withRateLimit(16 * MIB)));
            cutter.join(20_000);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("pcut.bin")));
            assertTrue(proxy.faultsInjected() >= 3, "faults " + proxy.faultsInjected());
            assertTrue(h.count("retry") >= 3, "retries " + h.events);
        }
    }

    @Test
    void forcedStrategyOverridesTheProbe() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("r.bin"), 20 * MIB, 25);
            h.engine.run(h.upload(source, "/r.bin", TransferOptions.none().withUploadStrategy(UploadStrategy.RESTART)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("r.bin")));
            assertEquals("start 1", h.events.get(0));
        }
    }

    @Test
    void aMissingLocalFileIsAClearFailureAndNothingAppearsRemotely() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path missing = tmp.resolve("nope.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(missing, "/nope.bin", TransferOptions.none())));
            assertInstanceOf(LocalFileException.class, e.getCause());
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            assertFalse(Files.exists(ftp.file("nope.bin")));
        }
    }

    @Test
    void aLocalFileChangedBetweenRunsIsSentAfresh() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(2 * MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("ch.bin"), 32 * MIB, 26);
            var request = h.upload(source, "/ch.bin", TransferOptions.none().withMinSegmentSize(4 * MIB)
                    .withCheckpointBytes(MIB));
            var running = h.engine.submit(request);
            Await.until(Duration.ofSeconds(10), () -> h.count("checkpoint") >= 4, () -> "no checkpoint: " + h.events);
            h.engine.cancel(request.id());
            assertThrows(Exception.class, running::join);
            PseudoRandomContent.write(source, 20 * MIB, 27);
            Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() + 5_000));
            h.engine.run(request);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("ch.bin")));
            assertEquals(1, h.count("restarted the local file changed"), h.events.toString());
        }
    }

    private static void assertNoTemporaryFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".part")).count());
        }
    }
}
