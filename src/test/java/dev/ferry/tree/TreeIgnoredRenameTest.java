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
import dev.ferry.testing.IgnoredRename;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that answers RNTO with 250 and renames nothing: a folder's small files were reported transferred with
 * nothing under their final names (only files over 1 MiB were asked for, one by one). Each remote folder is listed
 * once after its last small file ended, and a file it does not show is failed, in the result and in the ledger.
 */
class TreeIgnoredRenameTest {
    @TempDir
    Path tmp;

    @Test
    void aSmallFileThatTheServerDidNotRenameFailsTheTree() throws Exception {
        IgnoredRename rename = new IgnoredRename(name -> name.contains("lost"));
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("rename", rename).start()) {
            Path local = tmp.resolve("up");
            Map<String, Path> files = new TreeMap<>();
            for (String name : new String[] {"a.txt", "lost1.txt", "sub/b.txt", "sub/lost2.txt", "sub/deep/c.txt"}) {
                files.put(name, PseudoRandomContent.write(local.resolve(name), 1000 + name.length(), name.hashCode()));
            }
            ServerProfile profile = ftp.profile(4).build();
            JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"));
            TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(200));
            try {
                TreeResult r = new TreeRun(engine, "test", TreeLimits.DEFAULTS).upload(local, "/dst/",
                        TransferOptions.none());

                assertEquals(2, rename.ignored());
                assertEquals(2, r.failed(), r.toString());
                assertEquals(3, r.transferred(), r.toString());
                assertFalse(r.complete());
                assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("failed lost1.txt")
                        && p.contains("did not rename")), r.problems().toString());
                assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("failed sub/lost2.txt")),
                        r.problems().toString());
                for (String name : new String[] {"a.txt", "sub/b.txt", "sub/deep/c.txt"}) {
                    assertEquals(Hashes.sha256(files.get(name)), Hashes.sha256(ftp.file("dst/" + name)), name);
                }
                assertFalse(Files.exists(ftp.file("dst/lost1.txt")));
                Map<String, TransferStatus> statuses = new TreeMap<>();
                for (TransferRecord t : ledger.inTree(r.id(), 100)) {
                    statuses.put(t.remotePath(), t.status());
                }
                assertEquals(TransferStatus.FAILED, statuses.get("/dst/lost1.txt"), statuses.toString());
                assertEquals(TransferStatus.FAILED, statuses.get("/dst/sub/lost2.txt"), statuses.toString());
                assertEquals(TransferStatus.PUBLISHED, statuses.get("/dst/sub/b.txt"), statuses.toString());
            } finally {
                engine.close();
                ledger.close();
            }
        }
    }
}
