package dev.ferry.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A local file's digest, streamed through one fixed buffer. */
final class Hashing {
    private Hashing() {
    }

    /**
     * Starts hashing on a thread of its own, so the local digest is computed while the server computes its own
     * (HASH/XSHA256 of a 1 GiB file takes seconds on each side).
     */
    static CompletableFuture<String> start(Path file, String algorithm) {
        return start(file, algorithm, 0, Long.MAX_VALUE);
    }

    /** {@link #start} for bytes {@code [from, to)} of the file (to its end if shorter). */
    static CompletableFuture<String> start(Path file, String algorithm, long from, long to) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                result.complete(of(file, algorithm, from, to));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "ferry-hash");
        worker.setDaemon(true);
        worker.start();
        return result;
    }

    /** What a future of {@link #start} (or of any hashing work) completes with, its IOException as thrown. */
    static <T> T join(CompletableFuture<T> pending) throws IOException {
        try {
            return pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** A fresh digest in the algorithm publishing will compare with the server's, or null when none will. */
    static MessageDigest digestFor(LiveTransfer t) {
        String algorithm = t.options.verifyChecksum() ? t.capabilities.bestHash() : null;
        try {
            return algorithm == null ? null : MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    static String of(Path file, String algorithm) throws IOException {
        return of(file, algorithm, 0, Long.MAX_VALUE);
    }

    /** The digest of a stream read to its end, or null when it holds more than {@code max} bytes (reading stops). */
    static String of(InputStream in, String algorithm, long max) throws IOException {
        MessageDigest digest = digest(algorithm);
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            read += n;
            if (read > max) {
                return null;
            }
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A SHA-256 digest; every Java runtime has one. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    private static MessageDigest digest(String algorithm) throws IOException {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("this Java runtime has no " + algorithm, e);
        }
    }

    private static String of(Path file, String algorithm, long from, long to) throws IOException {
        MessageDigest digest = digest(algorithm);
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = from;
            while (pos < to) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), to - pos));
                int n = ch.read(buffer, pos);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                digest.update(buffer);
                pos += n;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
