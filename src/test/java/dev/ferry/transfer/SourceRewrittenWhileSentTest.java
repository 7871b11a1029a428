package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review, against a server without a hash (the size is all it can check): a source rewritten in place,
 * its modification time put back, while its bytes went out was published as a mixture of two versions, "verified".
 * Each such upload now starts over and publishes one version whole.
 */
class SourceRewrittenWhileSentTest {
    private static final int KIB = 1024;

    @TempDir
    Path tmp;

    /**
     * A small file (its SHA-256 taken at planning) rewritten and put back while one stream read it: the SHA-256 at the
     * finish is the planned one again, but the bytes sent were partly the other version's.
     */
    @Test
    void aSmallFileChangedAndPutBackWhileItWentOutStartsOver() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            int size = 600_000;
            Path source = PseudoRandomContent.write(tmp.resolve("aba.bin"), size, 81);
            byte[] first = Files.readAllBytes(source);
            byte[] other = PseudoRandomContent.bytes(82, 0, size);
            CompletableFuture<TransferResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return h.engine.run(h.upload(source, "/aba.bin", TransferOptions.none().withRateLimit(200_000)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until(Duration.ofSeconds(20), () -> partSize(ftp.root()) > 100_000, () -> "no bytes arrived");
            dev.ferry.testing.Rewrites.inPlace(source, other);
            Thread.sleep(400);
            dev.ferry.testing.Rewrites.inPlace(source, first);
            TransferResult r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("aba.bin")), "one version, whole: " + h.events);
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("restarted") && e.contains("bytes sent")),
                    h.events.toString());
            assertTrue(r.verification().contains("SHA-256 of the bytes sent"), r.verification());
        }
    }

    /**
     * The same, with the stream cut while it sent the other version and the file put back before the resume: the
     * resume sent the rest of the planned version, and only the digest of every byte this run sent sees the mixture.
     */
    @Test
    void aSmallFileRewrittenBeforeACutAndPutBackBeforeItsResumeStartsOver() throws Exception {
        int size = 600_000;
        Path source = tmp.resolve("cut-aba.bin");
        byte[] other = PseudoRandomContent.bytes(86, 0, size);
        byte[][] first = new byte[1][];
        AtomicInteger stores = new AtomicInteger();
        DefaultFtplet putBackBeforeTheResume = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
                String arg = request.getArgument();
                if ("STOR".equalsIgnoreCase(request.getCommand()) && arg != null && arg.endsWith(".part")
                        && stores.incrementAndGet() == 2) {
                    dev.ferry.testing.Rewrites.inPlace(source, first[0]);
                }
                return FtpletResult.DEFAULT;
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true)
                .ftplet("put-back", putBackBeforeTheResume).start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            PseudoRandomContent.write(source, size, 85);
            first[0] = Files.readAllBytes(source);
            CompletableFuture<TransferResult> run = uploadAsync(h, source, "/cut-aba.bin");
            Await.until(Duration.ofSeconds(20), () -> partSize(ftp.root()) > 100_000, () -> "no bytes arrived");
            dev.ferry.testing.Rewrites.inPlace(source, other);
            Await.until(Duration.ofSeconds(20), () -> partSize(ftp.root()) > 300_000, () -> "no more bytes arrived");
            proxy.cutAll();
            TransferResult r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(stores.get() >= 2, "the stream was resumed: " + h.events);
            assertEquals(Hashes.sha256(first[0]), Hashes.sha256(source), "put back");
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("cut-aba.bin")), "one version, whole: "
                    + h.events + " " + r.verification());
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("restarted") && e.contains("bytes sent")),
                    h.events.toString());
        }
    }

    /**
     * A small file's stream cut with nothing rewritten resumes where the server's size says, not from byte 0, and its
     * bytes are still proven by the digest of every byte sent.
     */
    @Test
    void aSmallFileCutMidStreamResumesAndIsStillProvenByTheBytesSent() throws Exception {
        int size = 600_000;
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"),
                     EngineHarness.profileFor(ftp).port(proxy.port()).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("cut.bin"), size, 87);
            CompletableFuture<TransferResult> run = uploadAsync(h, source, "/cut.bin");
            Await.until(Duration.ofSeconds(20), () -> partSize(ftp.root()) > 300_000, () -> "no bytes arrived");
            proxy.cutAll();
            TransferResult r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("cut.bin")));
            assertTrue(r.retries() >= 1, "the stream was cut: " + h.events);
            assertTrue(r.verification().contains("SHA-256 of the bytes sent"), r.verification());
            // From byte 0 again it would have received at least 300,000 bytes more.
            assertTrue(ftp.bytesReceived() < size + 200_000, "received " + ftp.bytesReceived());
        }
    }

    private static CompletableFuture<TransferResult> uploadAsync(EngineHarness h, Path source, String remote) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return h.engine.run(h.upload(source, remote, TransferOptions.none().withRateLimit(200_000)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * A parallel upload's first bytes go out in its planning (the prime); a rewrite while they went, its time put
     * back, was not seen by the look after them, and the other segments sent the new version's bytes.
     */
    @Test
    void aLargeFileRewrittenWhileItsFirstBytesWentOutStartsOver() throws Exception {
        AtomicBoolean rewrote = new AtomicBoolean();
        Path source = tmp.resolve("prime.bin");
        int size = 1536 * KIB;
        byte[] other = PseudoRandomContent.bytes(84, 0, size);
        DefaultFtplet rewriteDuringThePrime = new DefaultFtplet() {
            @Override
            public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
                String arg = request.getArgument();
                if ("STOR".equalsIgnoreCase(request.getCommand()) && arg != null && arg.endsWith(".part")
                        && rewrote.compareAndSet(false, true)) {
                    // The client sends the prime's 64 KiB at once and waits for the slow server's reply: the
                    // rewrite comes after its bytes were read, before the planning's last look.
                    CompletableFuture.runAsync(() -> {
                        sleep(250);
                        dev.ferry.testing.Rewrites.inPlace(source, other);
                    });
                }
                return FtpletResult.DEFAULT;
            }
        };
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(128 * KIB)
                .ftplet("rewrite", rewriteDuringThePrime).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            PseudoRandomContent.write(source, size, 83);
            TransferResult r = h.engine.run(h.upload(source, "/prime.bin", TransferOptions.none().withSegments(3)
                    .withMinSegmentSize(256 * KIB).withUploadStrategy(UploadStrategy.PARALLEL)));
            assertTrue(rewrote.get(), h.events.toString());
            assertEquals(Hashes.sha256(other), Hashes.sha256(source), "the rewrite happened");
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("prime.bin")), "one version, whole: "
                    + h.events + " " + r.verification());
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("restarted") && e.contains("change time moved")),
                    h.events.toString());
        }
    }

    private static long partSize(Path root) {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).mapToLong(p -> p.toFile().length())
                    .max().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
