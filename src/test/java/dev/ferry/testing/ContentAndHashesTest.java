package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentAndHashesTest {

    @TempDir
    Path dir;

    @Test
    void sha256MatchesTheStandardTestVector() throws IOException {
        Path abc = Files.writeString(dir.resolve("abc"), "abc", StandardCharsets.US_ASCII);

        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashes.sha256(abc));
    }

    @Test
    void contentDependsOnlyOnSeedAndPosition() throws IOException {
        Path file = PseudoRandomContent.write(dir.resolve("sub/dir/f.bin"), 100_003, 5);
        byte[] all = Files.readAllBytes(file);

        assertEquals(100_003, all.length);
        assertArrayEquals(Arrays.copyOfRange(all, 12_345, 12_345 + 777), PseudoRandomContent.bytes(5, 12_345, 777));
        try (InputStream in = PseudoRandomContent.stream(5, 100_003)) {
            assertEquals(Hashes.sha256(file), Hashes.sha256(in));
        }
        assertNotEquals(Hashes.sha256(file),
                Hashes.sha256(PseudoRandomContent.write(dir.resolve("g.bin"), 100_003, 6)));
    }
}
