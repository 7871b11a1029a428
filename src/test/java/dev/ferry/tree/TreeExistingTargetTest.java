package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree download onto a folder where a file of the tree already exists with other bytes (fileExist Fail): that file
 * fails for that reason, in the tree's problem lines and in the ledger, and the rest come down. A small file runs in
 * a batch of one ledger commit, a larger one alone: both paths record the failure of a transfer this process holds,
 * instead of reading it as a lease lost to another node (there is none).
 */
class TreeExistingTargetTest {
    private static final int KIB = 1024;

    @TempDir
    Path tmp;
    FtpServerFixture ftp;
    JdbcLedger ledger;
    TransferEngine engine;

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().start();
        ServerProfile profile = ftp.profile(6).build();
        ledger = JdbcLedger.h2(tmp.resolve("ledger"));
        engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        engine.close();
        ledger.close();
        ftp.close();
    }

    @Test
    void aSmallFileThatExistsLocallyFailsWithItsOwnReasonAndTheLedgerRecordsIt() throws Exception {
        existingFileFails("one.txt", 3);
    }

    @Test
    void aLargeFileThatExistsLocallyFailsWithItsOwnReasonAndTheLedgerRecordsIt() throws Exception {
        existingFileFails("big.bin", 2 * 1024 * KIB);
    }

    private void existingFileFails(String name, long size) throws Exception {
        Path remote = ftp.file("tree");
        PseudoRandomContent.write(remote.resolve(name), size, 7);
        PseudoRandomContent.write(remote.resolve("other.bin"), 10 * KIB, 8);
        PseudoRandomContent.write(remote.resolve("sub/deeper.bin"), 20 * KIB, 9);
        Path out = tmp.resolve("out");
        Path existing = out.resolve(name);
        Files.createDirectories(out);
        Files.writeString(existing, "DIFF\n", StandardCharsets.UTF_8);

        TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                TransferOptions.none());

        assertEquals(3, r.files());
        assertEquals(2, r.transferred(), r.problems().toString());
        assertEquals(1, r.failed(), r.problems().toString());
        assertEquals(1, r.problems().size(), r.problems().toString());
        String line = r.problems().get(0);
        assertTrue(line.startsWith("failed " + name + ": "), line);
        assertTrue(line.contains("already exists") && line.contains("remove or rename it"), line);
        assertFalse(line.toLowerCase(java.util.Locale.ROOT).contains("lease"), line);
        assertEquals("DIFF\n", Files.readString(existing, StandardCharsets.UTF_8), "the existing file is kept");
        assertEquals(Hashes.sha256(remote.resolve("other.bin")), Hashes.sha256(out.resolve("other.bin")));
        assertEquals(Hashes.sha256(remote.resolve("sub/deeper.bin")), Hashes.sha256(out.resolve("sub/deeper.bin")));

        Map<String, TransferRecord> files = ledger.inTree(r.id(), 10).stream()
                .collect(Collectors.toMap(t -> Path.of(t.localPath()).getFileName().toString(), Function.identity()));
        assertEquals(3, files.size(), files.toString());
        TransferRecord failed = files.get(name);
        assertEquals(TransferStatus.FAILED, failed.status(), failed.toString());
        assertTrue(failed.reason() != null && failed.reason().contains("already exists")
                && failed.reason().contains("remove or rename it"), failed.reason());
        assertFalse(failed.reason().toLowerCase(java.util.Locale.ROOT).contains("lease"), failed.reason());
        for (String ok : List.of("other.bin", "deeper.bin")) {
            assertEquals(TransferStatus.PUBLISHED, files.get(ok).status(), files.get(ok).toString());
        }
        assertEquals(List.of(), ledger.unfinished(), "nothing left for recovery to resume");
    }
}
