package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.dropInto;
import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 1, for a small file (the ferry:batch path): its content changes while it is on its way, keeping
 * size and modification time (as {@code cp -p} or a rewrite within one clock tick does). Only the SHA-256 of what
 * was sent can tell; the server and .done must end with the new version, never the old one under the new's name.
 */
class BatchSourceChangeTest {
    /** Slow enough that the test sees the temporary file on the server before the last byte arrives. */
    private static final long RATE = 256 * 1024;

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static ServiceHarness harness;
    static FerryService service;

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(RATE).start();
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        service = harness.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (ftp != null) {
            ftp.close();
        }
    }

    @Test
    void aSmallDropRewrittenWithSameSizeAndTimeAfterSendingIsUploadedAgainAsItIsNow() throws Exception {
        String name = "batch-change.bin";
        Path staged = PseudoRandomContent.write(tmp.resolve("staging").resolve(name), 768 * 1024, 41);
        Path newVersion = PseudoRandomContent.write(tmp.resolve("staging-new").resolve(name), 768 * 1024, 42);
        Path drop = dropInto(harness.uploadInbox(), staged);
        FileTime mtime = Files.getLastModifiedTime(drop);
        Await.until(Duration.ofSeconds(30), () -> partOnServer(name),
                () -> "no temporary file on the server: " + list(ftp.file("incoming")));
        // Rewritten in place while the bytes are on their way, size and time as before.
        Files.write(drop, Files.readAllBytes(newVersion));
        Files.setLastModifiedTime(drop, mtime);
        Path done = harness.uploadInbox().resolve(".done").resolve(name);
        Await.until(Duration.ofSeconds(60), () -> Files.exists(done) && !Files.exists(drop),
                () -> "inbox: " + list(harness.uploadInbox()));
        String expected = Hashes.sha256(newVersion);
        assertEquals(expected, Hashes.sha256(done), name + " in .done");
        assertEquals(expected, Hashes.sha256(ftp.file("incoming/" + name)), name + " on the server");
    }

    private static boolean partOnServer(String name) {
        Path dir = ftp.file("incoming");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("." + name + ".ferry-")
                    && p.toFile().length() > 0);
        } catch (IOException e) {
            return false;
        }
    }
}
