package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.IgnoredRest;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of the server side: a server that answers {@code REST n} with 350 and sends the file from byte 0
 * anyway had every segment but the first written with the file's head, and a download from it without a hash was
 * published as verified by size and time (exit 0, the wrong bytes). The segment that ends at the end of the file gets
 * more bytes than it asked for from such a server, which is now a failure, never a file.
 */
class IgnoredRestTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aServerThatIgnoresRestGetsNoFilePublishedFromIt() throws Exception {
        IgnoredRest rest = new IgnoredRest();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("rest", rest).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            PseudoRandomContent.write(ftp.file("head.bin"), 8 * MIB, 91);
            Path target = tmp.resolve("head.bin");

            TransferFailedException e = assertThrows(TransferFailedException.class, () -> h.engine.run(
                    h.download("/head.bin", target, TransferOptions.none().withSegments(4).withMinSegmentSize(MIB))));

            assertTrue(rest.ignored() > 0, "no REST was sent: " + h.events);
            assertFalse(Files.exists(target), "published from a server that ignores REST");
            assertTrue(e.getMessage().contains("REST") && e.getMessage().contains("--segments 1")
                    && e.getMessage().contains("{\"segments\": 1}"), e.getMessage());
        }
    }

    /** One segment from byte 0 asks for no offset: such a server still serves the file whole. */
    @Test
    void oneSegmentFromSuchAServerIsTheFile() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("rest", new IgnoredRest()).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path remote = PseudoRandomContent.write(ftp.file("whole.bin"), 8 * MIB, 92);
            Path target = tmp.resolve("whole.bin");

            h.engine.run(h.download("/whole.bin", target, TransferOptions.none().withSegments(1)));

            org.junit.jupiter.api.Assertions.assertEquals(dev.ferry.testing.Hashes.sha256(remote),
                    dev.ferry.testing.Hashes.sha256(target));
        }
    }
}
