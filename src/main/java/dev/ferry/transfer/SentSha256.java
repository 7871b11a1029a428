package dev.ferry.transfer;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The SHA-256 of the bytes a small upload's streams sent, as it stood after each write. A server without a hash
 * cannot say which bytes it holds; this can, for the bytes this run sent: a file rewritten while it was read, then put
 * back, leaves a digest other than its planned one. A stream cut mid-way resumes from the last write the server's
 * size covers, its digest continued, instead of sending the file again from byte 0; bytes an earlier run sent are
 * unknown here, so a new run starts from byte 0.
 */
final class SentSha256 {
    private long[] offsets = new long[16];
    private MessageDigest[] states = new MessageDigest[16];
    private int count;
    private MessageDigest running = Hashing.sha256();
    private long position;

    SentSha256() {
        record();
    }

    /**
     * Goes back to the last write at or below {@code offset} and forgets the writes above it, whose bytes the next
     * stream overwrites; returns where that stream must start.
     */
    long resumeAt(long offset) {
        int i = count - 1;
        while (i > 0 && offsets[i] > offset) {
            i--;
        }
        count = i + 1;
        position = offsets[i];
        running = copy(states[i]);
        return position;
    }

    void update(byte[] bytes, int offset, int length) {
        running.update(bytes, offset, length);
        position += length;
        record();
    }

    long position() {
        return position;
    }

    /** The SHA-256 of every byte sent from 0 to {@link #position()}. */
    String hex() {
        return HexFormat.of().formatHex(copy(running).digest());
    }

    private void record() {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            states = Arrays.copyOf(states, count * 2);
        }
        offsets[count] = position;
        states[count] = copy(running);
        count++;
    }

    private static MessageDigest copy(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this Java runtime's SHA-256 cannot be copied", e);
        }
    }
}
