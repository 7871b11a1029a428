package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, item 1: a writer that pauses longer than the inbox's settle time, writing straight into the upload
 * inbox. The server's file and the .done copy must both be the whole file, and no success is logged for a part.
 */
class PausingWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static ServiceHarness harness;
    static FerryService service;
    static ListAppender<ILoggingEvent> routeLog;

    @BeforeAll
    static void start() throws Exception {
        routeLog = new ListAppender<>();
        routeLog.start();
        ((Logger) LoggerFactory.getLogger("dev.ferry.routes")).addAppender(routeLog);
        ftp = FtpServerFixture.builder().writeInPlace(true).start();
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        service = harness.start();
        Files.createDirectories(harness.uploadInbox());
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("dev.ferry.routes")).detachAppender(routeLog);
        if (service != null) {
            service.close();
        }
        if (ftp != null) {
            ftp.close();
        }
    }

    @Test
    void aWriterThatPausesThreeSecondsTwiceIsUploadedWholeNotTruncated() throws Exception {
        // (head -c 1048576 /dev/urandom; sleep 3; head -c 1048576 /dev/urandom; sleep 3; head -c 1048576 ...) > slow.bin
        assertUploadedWhole("slow.bin", List.of(1L << 20, 1L << 20, 1L << 20), 3000);
    }

    @Test
    void aLargeFileWhoseWriterPausesIsUploadedWholeThroughTheSegmentPipeline() throws Exception {
        // 4 MB, 3.5 s pause, 4 MB: the first part alone is already past the batch limit, so segments carry it.
        assertUploadedWhole("slow-large.bin", List.of(4_000_000L, 4_000_000L), 3500);
    }

    @Test
    void aDropWrittenToAgainRightAfterItsRenameOnTheServerIsSentAgainBeforeItMovesToDone() throws Exception {
        String name = "reopened.bin";
        Path staged = dev.ferry.testing.PseudoRandomContent.write(tmp.resolve("staging").resolve(name), 10_000, 51);
        java.util.concurrent.atomic.AtomicBoolean appended = new java.util.concurrent.atomic.AtomicBoolean();
        service.engine().addListener(new dev.ferry.progress.TransferListener() {
            @Override
            public void published(dev.ferry.progress.TransferView t, String finalName) {
                // The writer comes back after the server's copy is in place, before the drop is put away.
                if (finalName.endsWith("/" + name) && appended.compareAndSet(false, true)) {
                    try {
                        Files.write(harness.uploadInbox().resolve(name), new byte[5000],
                                java.nio.file.StandardOpenOption.APPEND);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });
        Path drop = ServiceHarness.dropInto(harness.uploadInbox(), staged);
        Path done = harness.uploadInbox().resolve(".done").resolve(name);
        Await.until(WAIT, () -> Files.exists(done) && !Files.exists(drop), () -> "inbox: " + list(harness.uploadInbox()));
        assertTrue(appended.get(), "the writer came back");
        assertEquals(15_000, Files.size(done));
        assertEquals(Hashes.sha256(done), Hashes.sha256(ftp.file("incoming/" + name)), name + " on the server");
        List<String> uploaded = routeLog.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("uploaded " + name + " ")).toList();
        assertEquals(1, uploaded.size(), "one success line for " + name + ": " + uploaded);
        assertTrue(uploaded.get(0).contains("size 15000"), uploaded.get(0));
    }

    private void assertUploadedWhole(String name, List<Long> parts, long pauseMillis) throws Exception {
        Path target = harness.uploadInbox().resolve(name);
        CompletableFuture<String> written = CompletableFuture.supplyAsync(() -> write(target, parts, pauseMillis));
        String source = written.get(60, java.util.concurrent.TimeUnit.SECONDS);
        long total = parts.stream().mapToLong(Long::longValue).sum();
        Path done = harness.uploadInbox().resolve(".done").resolve(name);
        Path onServer = ftp.file("incoming/" + name);
        Await.until(WAIT, () -> Files.exists(done) && Files.exists(onServer) && !Files.exists(target),
                () -> "inbox: " + list(harness.uploadInbox()));
        assertEquals(source, Hashes.sha256(done), name + " in .done");
        assertEquals(source, Hashes.sha256(onServer), name + " on the server (" + sizeOf(onServer) + " of " + total
                + " bytes)");
        List<String> uploaded = routeLog.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("uploaded " + name + " ")).toList();
        assertEquals(1, uploaded.size(), "one success line for " + name + ": " + uploaded);
        assertTrue(uploaded.get(0).contains("size " + total), uploaded.get(0));
    }

    /** Writes the parts through one open stream, pausing between them; returns the SHA-256 of all it wrote. */
    private static String write(Path target, List<Long> parts, long pauseMillis) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            Random random = new Random(target.getFileName().hashCode());
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(target)) {
                for (int i = 0; i < parts.size(); i++) {
                    if (i > 0) {
                        out.flush();
                        // The writer's own pause: this is what the test is about, not a wait for the service.
                        Thread.sleep(pauseMillis);
                    }
                    for (long left = parts.get(i); left > 0; ) {
                        int n = (int) Math.min(buffer.length, left);
                        random.nextBytes(buffer);
                        out.write(buffer, 0, n);
                        sha.update(buffer, 0, n);
                        left -= n;
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
