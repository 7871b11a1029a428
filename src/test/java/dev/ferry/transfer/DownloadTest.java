package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.LoginRefusedException;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;
    FtpServerFixture ftp;
    EngineHarness h;

    @BeforeEach
    void start() throws Exception {
        ftp = FtpServerFixture.builder().start();
        h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build());
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        ftp.close();
    }

    @Test
    void sixtyFourMebibytesInFourSegmentsArriveIdentical() throws Exception {
        Path source = ftp.write("big/data.bin", 64 * MIB, 1);
        Path target = tmp.resolve("out/data.bin");
        TransferResult result = h.engine.run(h.download("/big/data.bin", target, TransferOptions.none()));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        assertEquals("start 4", h.events.get(0));
        assertEquals(64 * MIB, result.size());
        // No range was read twice: at most one read buffer (64 KiB) overlaps where a thief took a segment's tail
        // while its victim's read was under way.
        long streams = h.count("segmentStart");
        long steals = streams - 4;
        assertTrue(result.bytesMoved() >= 64 * MIB && result.bytesMoved() <= 64 * MIB + steals * 64 * 1024,
                "moved " + result.bytesMoved() + " with " + steals + " steals");
        // On the server: each stream began where no other did, and the bytes it served up to where the next stream
        // began add up to the file once — a range requested twice would break either. What a stream served past that
        // point is what the kernels had taken from the server when it stopped: at most the server's send buffer and
        // our receive window at their maxima (tcp_wmem, tcp_rmem; the window grows for a reader that keeps up, to
        // 32 MiB on some machines), and the server's own read-ahead.
        List<FtpServerFixture.Read> reads = ftp.reads().stream().filter(r -> r.path().equals("/big/data.bin"))
                .sorted(java.util.Comparator.comparingLong(FtpServerFixture.Read::offset)).toList();
        assertTrue(reads.size() >= 4, "one stream per segment at least: " + describe(reads));
        assertEquals(reads.size(), reads.stream().mapToLong(FtpServerFixture.Read::offset).distinct().count(),
                "streams began at distinct offsets: " + describe(reads));
        long needed = 0;
        long wasteBound = maxBuffer("tcp_wmem") + maxBuffer("tcp_rmem") + MIB;
        for (int i = 0; i < reads.size(); i++) {
            FtpServerFixture.Read r = reads.get(i);
            long end = i + 1 < reads.size() ? reads.get(i + 1).offset() : 64 * MIB;
            long used = Math.min(r.bytes(), end - r.offset());
            needed += used;
            assertTrue(r.bytes() - used <= wasteBound, "stream from " + r.offset() + " served " + (r.bytes() - used)
                    + " bytes past its range, bound " + wasteBound + ": " + describe(reads));
        }
        assertEquals(64 * MIB, needed, "each byte served once by the stream whose range holds it: " + describe(reads));
        assertTrue(ftp.maxConcurrentSessions() >= 4, "segments ran in parallel: " + ftp.maxConcurrentSessions());
        assertEquals(TransferStatus.PUBLISHED, h.ledger.find(result.id()).orElseThrow().status());
        assertNoPartFiles(target.getParent());
    }

    @Test
    void theSegmentsSessionsLogInWhilePlanning() throws Exception {
        Path source = ftp.write("warm.bin", 32 * MIB, 12);
        Path target = tmp.resolve("warm.bin");
        TransferRequest request = h.engine.accept(h.download("/warm.bin", target, TransferOptions.none()));
        LiveTransfer t = h.engine.plan(request);
        assertEquals(4, t.segments().size());
        // No segment has run yet, and the server already has a session for each: the planner's and three more.
        Await.until(Duration.ofSeconds(10), () -> ftp.loginCount() == 4, () -> "logins: " + ftp.loginCount());
        assertEquals(0, ftp.bytesSent(), "nothing read yet");
        assertEquals(4, h.engine.pool().open(h.profile));
        List<CompletableFuture<Void>> segments = new ArrayList<>();
        for (TransferView.SegmentView s : t.segments()) {
            segments.add(CompletableFuture.runAsync(() -> {
                try {
                    h.engine.runSegment(t, s.index());
                } catch (TransferFailedException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        CompletableFuture.allOf(segments.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        h.engine.publish(t);
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        assertEquals(4, ftp.loginCount(), "the segments and the publish used those sessions, no new login");
    }

    @Test
    void preOpenedSessionsStayWithinTheConnectionCap() throws Exception {
        ftp.close();
        ftp = FtpServerFixture.builder().maxLoginsPerIp(2).start();
        Path a = ftp.write("capped-a.bin", 32 * MIB, 13);
        Path b = ftp.write("capped-b.bin", 32 * MIB, 14);
        try (EngineHarness capped = new EngineHarness(tmp.resolve("ledger8"),
                EngineHarness.profileFor(ftp).connectionLimit(2).build())) {
            // Two transfers at once, each asking for 4 segments: each planner pre-opens sessions while the other's
            // segments borrow them, all under one cap of 2.
            var first = capped.engine.submit(capped.download("/capped-a.bin", tmp.resolve("a.bin"),
                    TransferOptions.none().withSegments(4)));
            var second = capped.engine.submit(capped.download("/capped-b.bin", tmp.resolve("b.bin"),
                    TransferOptions.none().withSegments(4)));
            first.get(60, TimeUnit.SECONDS);
            second.get(60, TimeUnit.SECONDS);
            assertEquals(Hashes.sha256(a), Hashes.sha256(tmp.resolve("a.bin")));
            assertEquals(Hashes.sha256(b), Hashes.sha256(tmp.resolve("b.bin")));
            assertEquals(0, ftp.refusedConnections(), "no connection was refused");
            assertTrue(ftp.maxConcurrentSessions() <= 2, "sessions at once: " + ftp.maxConcurrentSessions());
            assertEquals(2, capped.count("start 2"), capped.events.toString());
            assertTrue(capped.engine.pool().open(capped.profile) <= 2);
        }
    }

    @Test
    void namesWithSpacesAndChineseCharacters() throws Exception {
        Path source = ftp.write("报告 2026/季度 数据.bin", 3 * MIB, 2);
        Path target = tmp.resolve("下载 目录/季度 数据.bin");
        h.engine.run(h.download("/报告 2026/季度 数据.bin", target, TransferOptions.none()));
        assertEquals(Hashes.sha256(source), Hashes.sha256(target));
    }

    @Test
    void emptyFileAndFileSmallerThanOneSegment() throws Exception {
        Path empty = ftp.write("empty.bin", 0, 3);
        Path small = ftp.write("small.bin", 12345, 4);
        h.engine.run(h.download("/empty.bin", tmp.resolve("empty.bin"), TransferOptions.none()));
        h.engine.run(h.download("/small.bin", tmp.resolve("small.bin"), TransferOptions.none()));
        assertEquals(0, Files.size(tmp.resolve("empty.bin")));
        assertEquals(Hashes.sha256(empty), Hashes.sha256(tmp.resolve("empty.bin")));
        assertEquals(Hashes.sha256(small), Hashes.sha256(tmp.resolve("small.bin")));
        assertEquals(2, h.count("start 1"), "small files are one segment each");
    }

    @Test
    void wrongPasswordIsAClearPermanentFailure() throws Exception {
        ftp.write("a.bin", 1000, 5);
        try (EngineHarness wrong = new EngineHarness(tmp.resolve("ledger2"),
                EngineHarness.profileFor(ftp).password("not-the-password").build())) {
            Path target = tmp.resolve("a.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> wrong.engine.run(wrong.download("/a.bin", target, TransferOptions.none())));
            assertInstanceOf(LoginRefusedException.class, e.getCause());
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("'test'"), e.getMessage());
            assertFalse(e.getMessage().contains("not-the-password"), "no password in messages");
            assertFalse(Files.exists(target));
            assertEquals(TransferStatus.FAILED, wrong.ledger.find(e.transferId()).orElseThrow().status());
        }
    }

    @Test
    void missingRemoteFileNamesTheFile() {
        TransferFailedException e = assertThrows(TransferFailedException.class,
                () -> h.engine.run(h.download("/no/such.bin", tmp.resolve("x.bin"), TransferOptions.none())));
        assertInstanceOf(RemoteNotFoundException.class, e.getCause());
        assertTrue(e.getMessage().contains("/no/such.bin"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x.bin")));
    }

    @Test
    void connectionsCutMidSegmentAreRetriedAndTheResultIsIdentical() throws Exception {
        Path source = ftp.write("cut.bin", 24 * MIB, 6);
        try (FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness viaProxy = new EngineHarness(tmp.resolve("ledger3"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            proxy.cutEveryDataAfter(5 * MIB);
            Path target = tmp.resolve("cut.bin");
            TransferResult result = viaProxy.engine.run(viaProxy.download("/cut.bin", target,
                    TransferOptions.none().withMaxAttempts(20)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(proxy.faultsInjected() >= 1, "faults injected: " + proxy.faultsInjected());
            assertTrue(proxy.dataConnections() >= 5, "24 MiB through connections of at most 5 MiB each: "
                    + proxy.dataConnections());
            // No connection may carry more than 5 MiB, so some segment had to go on after a cut. (A cut that
            // lands after a segment's last byte costs no retry, hence not one retry per fault.)
            assertTrue(result.retries() >= 1, "retries: " + result.retries());
        }
    }

    @Test
    void aStalledDataConnectionTimesOutAndResumes() throws Exception {
        Path source = ftp.write("stall.bin", 8 * MIB, 7);
        try (FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness viaProxy = new EngineHarness(tmp.resolve("ledger4"), EngineHarness.profileFor(ftp)
                     .port(proxy.port()).dataTimeout(Duration.ofSeconds(1)).build())) {
            proxy.stallDataAfter(3 * MIB);
            Path target = tmp.resolve("stall.bin");
            viaProxy.engine.run(viaProxy.download("/stall.bin", target, TransferOptions.none().withSegments(1)));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(viaProxy.count("retry") >= 1, "the stall caused a retry: " + viaProxy.events);
        }
    }

    @Test
    void serverConnectionLimitLowersTheSegmentCountInsteadOfFailing() throws Exception {
        ftp.close();
        ftp = FtpServerFixture.builder().maxLoginsPerIp(2).start();
        Path source = ftp.write("limited.bin", 32 * MIB, 8);
        try (EngineHarness limited = new EngineHarness(tmp.resolve("ledger5"), EngineHarness.profileFor(ftp).build())) {
            Path target = tmp.resolve("limited.bin");
            limited.engine.run(limited.download("/limited.bin", target, TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
            assertTrue(ftp.refusedConnections() >= 1, "the server refused a connection");
            assertEquals(2, limited.engine.pool().limit(limited.profile), "the refusal lowered the cap to 2");
            assertTrue(ftp.maxConcurrentSessions() <= 2, "sessions: " + ftp.maxConcurrentSessions());
        }
    }

    @Test
    void aSourceChangedBetweenRunsIsDownloadedAfreshNeverSpliced() throws Exception {
        ftp.close();
        ftp = FtpServerFixture.builder().ratePerConnection(2 * MIB).start();
        ftp.write("changing.bin", 16 * MIB, 9);
        try (EngineHarness slow = new EngineHarness(tmp.resolve("ledger6"), EngineHarness.profileFor(ftp).build())) {
            Path target = tmp.resolve("changing.bin");
            var request = slow.download("/changing.bin", target, TransferOptions.none().withMinSegmentSize(4 * MIB)
                    .withCheckpointBytes(MIB));
            var running = slow.engine.submit(request);
            dev.ferry.testing.Await.until(Duration.ofSeconds(10), () -> slow.count("checkpoint") >= 2,
                    () -> "no checkpoint yet: " + slow.events);
            assertTrue(slow.engine.cancel(request.id()));
            assertThrows(Exception.class, running::join);
            Path changed = ftp.write("changing.bin", 12 * MIB, 10);
            slow.engine.run(request);
            assertEquals(Hashes.sha256(changed), Hashes.sha256(target));
            assertEquals(1, slow.count("restarted the remote file changed"), slow.events.toString());
        }
    }

    @Test
    void cancelThenResumeContinuesFromTheLedger() throws Exception {
        ftp.close();
        ftp = FtpServerFixture.builder().ratePerConnection(2 * MIB).start();
        Path source = ftp.write("resume.bin", 24 * MIB, 11);
        try (EngineHarness slow = new EngineHarness(tmp.resolve("ledger7"), EngineHarness.profileFor(ftp).build())) {
            Path target = tmp.resolve("resume.bin");
            var request = slow.download("/resume.bin", target, TransferOptions.none().withMinSegmentSize(4 * MIB)
                    .withCheckpointBytes(MIB));
            var running = slow.engine.submit(request);
            dev.ferry.testing.Await.until(Duration.ofSeconds(10), () -> slow.count("checkpoint") >= 4,
                    () -> "no checkpoint yet: " + slow.events);
            slow.engine.cancel(request.id());
            assertThrows(Exception.class, running::join);
            assertEquals(TransferStatus.CANCELLED, slow.ledger.find(request.id()).orElseThrow().status());
            assertFalse(Files.exists(target), "nothing under the final name after a cancel");
            TransferResult result = slow.engine.run(request);
            assertTrue(result.bytesResumed() > 0, "resumed " + result.bytesResumed());
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        }
    }

    /** The kernel's largest socket buffer of a kind ({@code tcp_wmem}, {@code tcp_rmem}): the third of its values. */
    private static long maxBuffer(String kind) throws java.io.IOException {
        // /proc files claim size 0, so read the stream to its end rather than Files.readString.
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4", kind))) {
            String[] values = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim()
                    .split("\\s+");
            return Long.parseLong(values[2]);
        }
    }

    private static String describe(List<FtpServerFixture.Read> reads) {
        return reads.stream().map(r -> r.offset() + "+" + r.bytes()).collect(java.util.stream.Collectors.joining(", "));
    }

    private static void assertNoPartFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".part")).count());
        }
    }
}
