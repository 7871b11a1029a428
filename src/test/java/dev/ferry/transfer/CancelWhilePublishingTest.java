package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancel the API accepted ("cancelling") while publishing was under way was ignored and the transfer ended done
 * (a review's sweep of cancels at every moment). The cancel here comes while the server is asked about its file
 * after the last byte: nothing is published, the transfer is CANCELLED and resumes to a verified copy.
 */
class CancelWhilePublishingTest {
    @TempDir
    Path tmp;

    @Test
    void aCancelWhileTheServerIsAskedAfterTheLastBytePublishesNothing() throws Exception {
        AtomicReference<Runnable> onCheck = new AtomicReference<>(() -> { });
        CancelAfterData ftplet = new CancelAfterData(onCheck);
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("cancel", ftplet).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = ftp.write("c.bin", 3 << 20, 5);
            Path target = tmp.resolve("c.bin");
            TransferRequest request = h.download("/c.bin", target, TransferOptions.none().withSegments(1));
            onCheck.set(() -> h.engine.cancel(request.id()));
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> h.engine.run(request));
            assertTrue(ftplet.fired.get(), "the server was never asked after the data");
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
            assertFalse(Files.exists(target), "published after the cancel");
            assertEquals(TransferStatus.CANCELLED, h.ledger.find(request.id()).orElseThrow().status());

            onCheck.set(() -> { });
            h.engine.run(request);
            assertEquals(Hashes.sha256(source), Hashes.sha256(target));
        }
    }

    /** Once a RETR has ended, the next question about the file (MLST, SIZE, HASH) runs the test's cancel, once. */
    private static final class CancelAfterData extends DefaultFtplet {
        private final AtomicReference<Runnable> onCheck;
        private final AtomicBoolean dataDone = new AtomicBoolean();
        final AtomicBoolean fired = new AtomicBoolean();

        CancelAfterData(AtomicReference<Runnable> onCheck) {
            this.onCheck = onCheck;
        }

        @Override
        public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
            String command = request.getCommand().toUpperCase(java.util.Locale.ROOT);
            if (dataDone.get() && (command.equals("MLST") || command.equals("SIZE") || command.startsWith("HASH")
                    || command.startsWith("XSHA")) && fired.compareAndSet(false, true)) {
                onCheck.get().run();
            }
            return FtpletResult.DEFAULT;
        }

        @Override
        public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply) {
            if ("RETR".equalsIgnoreCase(request.getCommand())) {
                dataDone.set(true);
            }
            return FtpletResult.DEFAULT;
        }
    }
}
