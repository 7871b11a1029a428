package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names with '?' or '*' (a reviewer's "q?x.bin", "a*b.bin"). Apache FtpServer, the demo server, reads them in MLST as
 * patterns and answers with the parent folder's entry: an upload was refused as "already exists" and a download as
 * "is a folder". Both directions now move the bytes, small (one stream) and large (segments).
 */
class PatternCharacterNameTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void namesWithQuestionMarksAndStarsGoUpAndComeBack() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Files.createDirectories(ftp.file("up"));
            int seed = 1;
            for (String name : new String[] {"q?x.bin", "a*b.bin", "what?.txt"}) {
                for (long size : new long[] {5000, 6 * MIB}) {
                    String remote = "/up/" + size + "-" + name;
                    Path source = PseudoRandomContent.write(tmp.resolve("src").resolve(size + "-" + name), size,
                            seed++);
                    h.engine.run(h.upload(source, remote, TransferOptions.none().withMinSegmentSize(MIB)));
                    assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file(remote)), "uploaded " + remote);

                    Path back = tmp.resolve("back").resolve(size + "-" + name);
                    Files.createDirectories(back.getParent());
                    h.engine.run(h.download(remote, back, TransferOptions.none().withMinSegmentSize(MIB)));
                    assertEquals(Hashes.sha256(source), Hashes.sha256(back), "downloaded " + remote);
                }
            }
        }
    }
}
