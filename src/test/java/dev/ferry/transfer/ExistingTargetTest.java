package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.FileExist;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine and a download's final name: its own earlier copy is finished, a person's file is never replaced. */
class ExistingTargetTest {
    @TempDir
    Path tmp;

    @Test
    void aDownloadKilledAfterItsRenameIsPublishedAtTheRestartWithoutMovingAByte() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path remote = ftp.write("pub/done.bin", 300_000, 1);
            Path target = tmp.resolve("out/done.bin");
            TransferRequest request = h.download("/pub/done.bin", target, TransferOptions.none());
            h.engine.run(request);
            // The state a kill between the rename and the ledger's PUBLISHED leaves: every segment done, the file
            // under its final name, the transfer still ACTIVE.
            h.ledger.status(request.id(), TransferStatus.ACTIVE, null);
            long sent = ftp.bytesSent();

            TransferResult again = h.engine.run(request);
            assertEquals(0, again.bytesMoved(), again.verification());
            assertEquals(sent, ftp.bytesSent(), "nothing downloaded again");
            assertTrue(again.verification().contains("published before a restart"), again.verification());
            assertEquals(TransferStatus.PUBLISHED, h.ledger.find(request.id()).orElseThrow().status());
            assertEquals(Hashes.sha256(remote), Hashes.sha256(target));
            assertEquals(0, parts(target.getParent()));
        }
    }

    @Test
    void tryRenameNeverReplacesAFileThatAppearedDuringTheDownload() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("pub/late.bin", 200_000, 2);
            Path target = tmp.resolve("out/late.bin");
            TransferRequest request = h.engine.accept(h.download("/pub/late.bin", target,
                    TransferOptions.none().withFileExist(FileExist.TRYRENAME)));
            LiveTransfer t = h.engine.plan(request);
            for (var s : t.segments()) {
                h.engine.runSegment(t, s.index());
            }
            Files.writeString(target, "written by someone else meanwhile");
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> h.engine.publish(t));
            // TryRename looks only at the rename, so it cannot say whether the file was there from the start
            assertTrue(e.getMessage().contains("exists and is kept (fileExist TryRename"), e.getMessage());
            // the command line's exit for a kept target (6), as when Fail finds it before moving a byte
            assertTrue(e.getCause() instanceof LocalFileException l && l.isTargetExists(), String.valueOf(e.getCause()));
            assertEquals("written by someone else meanwhile", Files.readString(target));
        }
    }

    /** Ignore keeps a file that appeared during the download, as one found before: skipped, not failed. */
    @Test
    void ignoreKeepsAFileThatAppearedDuringTheDownloadAndReportsItSkipped() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            ftp.write("pub/late.bin", 200_000, 3);
            Path target = tmp.resolve("out/late.bin");
            TransferRequest request = h.engine.accept(h.download("/pub/late.bin", target,
                    TransferOptions.none().withFileExist(FileExist.IGNORE)));
            LiveTransfer t = h.engine.plan(request);
            for (var s : t.segments()) {
                h.engine.runSegment(t, s.index());
            }
            Files.writeString(target, "written by someone else meanwhile");
            TransferResult r = h.engine.publish(t);
            assertTrue(r.skipped(), r.verification());
            assertEquals("written by someone else meanwhile", Files.readString(target));
            assertEquals(TransferStatus.PUBLISHED, h.ledger.find(request.id()).orElseThrow().status());
            assertEquals(0, parts(target.getParent()), "the discarded download's part file is removed");
        }
    }

    private static long parts(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).count();
        }
    }
}
