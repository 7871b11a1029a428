package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;

/** A writer that hides its work from a stat: what a copy with its time put back ({@code touch -r}) does. */
public final class Rewrites {
    private Rewrites() {
    }

    /** Same inode, same size, same modification time: only the bytes (and the change time) differ. */
    public static void inPlace(Path file, byte[] content) {
        try {
            FileTime mtime = Files.getLastModifiedTime(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b, b.position());
                }
            }
            Files.setLastModifiedTime(file, mtime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
