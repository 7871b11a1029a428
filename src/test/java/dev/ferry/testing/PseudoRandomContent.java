package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deterministic test content: the byte at any position is a function of (seed, position) only, so a test can
 * make a 100 MiB file quickly, stream the same bytes to a server without a local file, and compute the
 * expected bytes of any segment without reading the file back. Incompressible, unlike repeated patterns,
 * so a misplaced segment can never compare equal by accident.
 */
public final class PseudoRandomContent {

    private static final int BUFFER = 64 * 1024;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private PseudoRandomContent() {
    }

    /** Writes {@code size} bytes of content for {@code seed} to {@code file}, creating parent directories. */
    public static Path write(Path file, long size, long seed) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] buffer = new byte[BUFFER];
                for (long pos = 0; pos < size; ) {
                    int n = (int) Math.min(buffer.length, size - pos);
                    fill(seed, pos, buffer, 0, n);
                    out.write(buffer, 0, n);
                    pos += n;
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write test content to " + file, e);
        }
    }

    /** The {@code length} bytes that start at {@code offset} in the content for {@code seed}. */
    public static byte[] bytes(long seed, long offset, int length) {
        byte[] result = new byte[length];
        fill(seed, offset, result, 0, length);
        return result;
    }

    /** The first {@code size} bytes of the content for {@code seed}, as a stream (for uploads). */
    public static InputStream stream(long seed, long size) {
        return new InputStream() {
            private long pos;

            @Override
            public int read() {
                if (pos >= size) {
                    return -1;
                }
                return byteAt(seed, pos++) & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                fill(seed, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** Copies the content for {@code seed} from {@code offset} into {@code dst[off, off+len)}. */
    public static void fill(long seed, long offset, byte[] dst, int off, int len) {
        long pos = offset;
        int i = off;
        int end = off + len;
        while (i < end) {
            long word = word(seed, pos >>> 3);
            int shift = (int) (pos & 7);
            if (shift == 0 && end - i >= 8) {
                LONG_LE.set(dst, i, word); // the same bytes as the loop below, 8 at a time
                i += 8;
                pos += 8;
                continue;
            }
            int take = Math.min(8 - shift, end - i);
            for (int k = 0; k < take; k++) {
                dst[i + k] = (byte) (word >>> ((shift + k) * 8));
            }
            i += take;
            pos += take;
        }
    }

    static byte byteAt(long seed, long pos) {
        return (byte) (word(seed, pos >>> 3) >>> ((pos & 7) * 8));
    }

    /** SplitMix64 of the word index: cheap, stateless, and statistically good enough for test data. */
    private static long word(long seed, long index) {
        long z = seed + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
