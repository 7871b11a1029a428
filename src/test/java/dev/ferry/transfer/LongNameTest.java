package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A name near the 255 bytes a file system or an FTP server takes: its part file's name adds 20 bytes, so before, 236
 * bytes or more (here 84 CJK characters, 252 bytes) could be neither uploaded ("551 ... Error on output file") nor
 * downloaded ("File name too long"). Both directions end with the same bytes under the full name, no part file left.
 */
class LongNameTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void aNameOf252BytesGoesUpAndComesBackUnderItsFullName() throws Exception {
        String name = "報".repeat(80) + ".bin";
        assertEquals(244, name.getBytes(StandardCharsets.UTF_8).length);
        String longer = "報".repeat(84);
        assertEquals(252, longer.getBytes(StandardCharsets.UTF_8).length);
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            for (String n : new String[] {name, longer}) {
                Path source = PseudoRandomContent.write(tmp.resolve("src").resolve(n), 12 * MIB, n.length());
                h.engine.run(h.upload(source, "/" + n, TransferOptions.none().withMinSegmentSize(MIB)));
                assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file(n)), "uploaded " + n.length());

                Path back = tmp.resolve("back").resolve(n);
                Files.createDirectories(back.getParent());
                h.engine.run(h.download("/" + n, back, TransferOptions.none().withMinSegmentSize(MIB)));
                assertEquals(Hashes.sha256(source), Hashes.sha256(back), "downloaded " + n.length());
            }
            try (Stream<Path> left = Stream.concat(Files.list(tmp.resolve("back")), Files.list(ftp.file("")))) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "a part file left");
            }
        }
    }

    @Test
    void aLongNameIsCutOnACharacterBoundaryInItsPartNameOnly() {
        String id = "d-0123456789abcdef";
        assertEquals(".short.bin.ferry-01234567.part", PartFiles.partName("short.bin", id));
        String cut = PartFiles.partName("€".repeat(100), id);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 255, cut);
        assertTrue(cut.startsWith(".€€€") && cut.endsWith(".ferry-01234567.part"), cut);
        // 235 bytes of room: 78 whole characters of 3 bytes, never a character cut in two
        assertEquals("€".repeat(78), cut.substring(1, cut.indexOf(".ferry-")));
    }
}
