package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.HashCommand;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small upload (up to 1 MiB) is not hashed on the way out: the server's hash is compared with the SHA-256 taken at
 * planning. When the source is rewritten after that, in place, at the same size and with its time put back (so a
 * stat sees nothing), the server's hash differs from the planned one although every byte arrived as read: the
 * mismatch must be put down to the source, and the upload start over from the new version -- not fail, and never
 * publish a file that is neither version.
 */
class SmallUploadRewrittenTest {
    private static final int SIZE = 600_000;

    @TempDir
    Path tmp;

    @Test
    void aSmallSourceRewrittenAtTheSameSizeAndTimeAfterPlanningStartsOverAndPublishesTheNewVersion()
            throws Exception {
        HashCommand hash = new HashCommand();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("small.bin"), SIZE, 71);
            byte[] second = PseudoRandomContent.bytes(72, 0, SIZE);
            AtomicBoolean rewritten = new AtomicBoolean();
            h.engine.addListener(new TransferListener() {
                @Override
                public void transferStart(TransferView t) {
                    // After planning took the SHA-256, before a byte is read: the first run sends the new content.
                    if (rewritten.compareAndSet(false, true)) {
                        dev.ferry.testing.Rewrites.inPlace(source, second);
                    }
                }
            });

            TransferResult r = h.engine.run(h.upload(source, "/small.bin", TransferOptions.none()));

            assertTrue(rewritten.get());
            assertEquals(Hashes.sha256(second), Hashes.sha256(ftp.file("small.bin")), "the new version published");
            assertEquals(1, h.count("restarted"), h.events.toString());
            assertTrue(h.events.stream().anyMatch(e -> e.startsWith("restarted") && e.contains("changed")),
                    h.events.toString());
            assertTrue(hash.answered() >= 2, "both runs were checked by the server's hash: " + hash.answered());
            assertTrue(r.verification().contains("SHA-256 from the server"), r.verification());
            assertEquals(0, h.count("failed"), h.events.toString());
        }
    }
}
