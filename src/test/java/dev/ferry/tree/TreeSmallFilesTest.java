package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.HashCommand;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree of small files costs the server as few commands per file as its verification allows (issue 18, many small
 * files fast): the listing gives each file's size, one RETR reads it, and the server's hash of it, equal to the
 * digest of the bytes written, replaces a second look at its size and time before the rename.
 */
class TreeSmallFilesTest {
    private static final int FILES = 24;

    @TempDir
    Path tmp;

    @Test
    void aSmallFileOfATreeCostsOneRetrOneHashAndAtMostOneLookAtItsTime() throws Exception {
        HashCommand hash = new HashCommand();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start()) {
            Path remote = ftp.file("tree");
            for (int i = 0; i < FILES; i++) {
                PseudoRandomContent.write(remote.resolve("d" + (i % 3) + "/f" + i + ".bin"), 10 * 1024 + i, 700 + i);
            }
            ServerProfile profile = ftp.profile(6).build();
            JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
            TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(200));
            try {
                Path out = tmp.resolve("out");
                ftp.resetCounters();
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).download("/tree/", out,
                        TransferOptions.none());
                assertEquals(List.of(), r.problems());
                assertEquals(FILES, r.transferred());
                assertEquals(hashes(remote), hashes(out));
                assertEquals(FILES, ftp.commandCount("RETR"));
                assertTrue(hash.answered() >= FILES, "every file checked against the server's hash");
                // This server lists with LIST (time to the minute): one MDTM per file may be asked, nothing more.
                int looks = ftp.commandCount("SIZE") + ftp.commandCount("MDTM") + ftp.commandCount("MLST");
                assertTrue(looks <= FILES, looks + " SIZE/MDTM/MLST for " + FILES + " files");
            } finally {
                engine.close();
                ledger.close();
            }
        }
    }

    /**
     * Upload side: the walk lists each remote folder once, so a file the listing shows absent is not looked at again
     * before it is sent (fileExist Fail, the default); each costs one STOR, one HASH, one RNFR/RNTO and the MFMT that
     * keeps the next run's skip exact, and no SIZE, MDTM or MLST of its
     * own (old main: an MLST per file).
     */
    @Test
    void aSmallFileOfAnUploadedTreeIsNotLookedAtBeyondTheFolderListing() throws Exception {
        HashCommand hash = new HashCommand();
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("hash", hash).start()) {
            Path local = tmp.resolve("local");
            for (int i = 0; i < FILES; i++) {
                PseudoRandomContent.write(local.resolve("d" + (i % 3) + "/f" + i + ".bin"), 10 * 1024 + i, 900 + i);
            }
            Files.createDirectories(ftp.file("up"));
            ServerProfile profile = ftp.profile(6).build();
            JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
            TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(200));
            try {
                ftp.resetCounters();
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).upload(local, "/up/",
                        TransferOptions.none());
                assertEquals(List.of(), r.problems());
                assertEquals(FILES, r.transferred());
                assertEquals(hashes(local), hashes(ftp.file("up")));
                // STOR: a file's one, and the server's upload probe's (once per folder, on a probe file).
                assertEquals(FILES, ftp.commandCount("RNFR"));
                assertEquals(FILES, ftp.commandCount("RNTO"));
                assertTrue(hash.answered() >= FILES, "every file checked against the server's hash");
                int looks = ftp.commandCount("SIZE") + ftp.commandCount("MDTM") + ftp.commandCount("MLST");
                // The server's upload probe looks at its probe file once per folder (4 here): none is per file.
                assertTrue(looks < FILES, looks + " SIZE/MDTM/MLST for " + FILES + " files the folder listings"
                        + " showed absent");
            } finally {
                engine.close();
                ledger.close();
            }
        }
    }

    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> m.put(root.relativize(f).toString(), Hashes.sha256(f)));
        }
        return m;
    }
}
