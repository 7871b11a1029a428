package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.HashCommand;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that has HASH but refuses it for now (4xx) is asked again; a check by size alone follows only a server
 * that says it has no hash (5xx).
 */
class HashRefusalTest {
    private static final long SIZE = (2L << 20) + 7;
    @TempDir
    Path tmp;

    @Test
    void aHashRefusedForNowIsAskedAgainAndTheUploadIsVerifiedByIt() throws Exception {
        HashCommand hash = new HashCommand().refuse(2, 450, "file busy, try later");
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("busy.bin"), SIZE, 61);
            TransferResult r = h.engine.run(h.upload(source, "/busy.bin", TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("busy.bin")));
            assertEquals(2, hash.refused());
            assertTrue(hash.answered() >= 1, "the server's hash was asked again after the refusals");
            assertTrue(r.verification().contains("SHA-256 from the server"), r.verification());
        }
    }

    @Test
    void aHashRefusedEveryTimeFailsTheUploadInsteadOfPublishingOnSizeAlone() throws Exception {
        HashCommand hash = new HashCommand().refuse(-1, 450, "file busy, try later");
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("never.bin"), SIZE, 62);
            TransferFailedException e = assertThrows(TransferFailedException.class,
                    () -> h.engine.run(h.upload(source, "/never.bin", TransferOptions.none().withMaxAttempts(3))));
            assertTrue(e.getMessage().contains("450"), e.getMessage());
            assertEquals(3, hash.refused(), "asked once per attempt");
            assertFalse(Files.exists(ftp.file("never.bin")), "nothing published without its check");
        }
    }

    /**
     * A server review: a HASH answered 213 with another algorithm's hash, or with one that is not hex, was taken as no
     * hash at all, silently. The upload is still checked by size, and the log says why, once.
     */
    @Test
    void aHashReplyThatCannotBeUsedIsSaidOnceAndTheFileCheckedBySize() throws Exception {
        HashCommand hash = new HashCommand().refuse(-1, 213, "MD5 0-7 0123456789abcdef0123456789abcdef /x.bin");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(dev.ferry.ftp.FtpSession.class);
        logger.addAppender(log);
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            for (int i = 0; i < 2; i++) {
                Path source = PseudoRandomContent.write(tmp.resolve("md5-" + i + ".bin"), SIZE, 64 + i);
                TransferResult r = h.engine.run(h.upload(source, "/md5-" + i + ".bin", TransferOptions.none()));
                assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("md5-" + i + ".bin")));
                assertEquals("size " + SIZE, r.verification());
            }
            java.util.List<String> said = log.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("with a hash Ferry cannot use")).toList();
            assertEquals(1, said.size(), "once, not per file: " + said);
            assertTrue(said.get(0).contains("MD5 0-7") && said.get(0).contains("verified by size and time only"),
                    said.get(0));
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aServerThatSaysItHasNoHashIsCheckedBySize() throws Exception {
        HashCommand hash = new HashCommand().refuse(-1, 502, "HASH not implemented");
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("nohash.bin"), SIZE, 63);
            TransferResult r = h.engine.run(h.upload(source, "/nohash.bin", TransferOptions.none()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("nohash.bin")));
            assertEquals(1, hash.refused());
            assertEquals("size " + SIZE, r.verification());
        }
    }
}
