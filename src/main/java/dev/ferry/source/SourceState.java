package dev.ferry.source;

import dev.ferry.progress.Units;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One version of a local file as a transfer saw it: size, modification time, the file's identity (inode where the
 * system has one, so a file replaced by a rename is a different file even with the same size and time) and, for a
 * small file, its SHA-256 -- which also catches a rewrite that kept size and time (a copy with {@code -p}, or two
 * writes within one clock tick).
 *
 * <p>Where the system keeps a change time (Linux's ctime: set by every write, truncate, rename and attribute change,
 * and not settable by a user, unlike the modification time that {@code touch} puts back), the state also keeps the
 * change time its SHA-256 proves. A later look that finds size, time, identity and that change time all the same
 * knows no byte was written since the hash began, and takes the hash over instead of reading the file again (the
 * second SHA-256 of every small upload was a fifth of a tree upload's CPU: bench/results/tree-big.notes.md).
 *
 * @param fileKey null where the file system has none
 * @param sha256  null when not hashed
 * @param hashedAt the change time the SHA-256 is the content of: null without a hash, without a change time, or
 *                 when the file changed too shortly before the hash for its coarse clock to tell a later write apart
 * @param changedAt the change time when the state was read, null where the system keeps none: without a SHA-256 it
 *                 is what tells a rewrite in place whose modification time was put back ({@code touch -r},
 *                 {@code rsync --inplace -t}) from the version that was sent
 */
public record SourceState(long size, long mtimeMillis, Object fileKey, String sha256, FileTime hashedAt,
                          FileTime changedAt) {
    /**
     * File systems stamp a change from a coarse clock (one kernel tick, up to 10 ms, behind the precise one): two
     * writes within one tick may leave the same change time. A change time proves the content only when it is this
     * much older than the moment its attributes were read, so any write after that read gets a later one.
     */
    static final long CLOCK_MARGIN_NANOS = WriterSnapshot.CLOCK_MARGIN_NANOS;

    /** Told of every file read for a SHA-256: a test's evidence that an unchanged file is not read again. */
    static volatile Consumer<Path> onHash = file -> { };

    public SourceState(long size, long mtimeMillis, Object fileKey, String sha256) {
        this(size, mtimeMillis, fileKey, sha256, null, null);
    }

    public SourceState(long size, long mtimeMillis, Object fileKey, String sha256, FileTime hashedAt) {
        this(size, mtimeMillis, fileKey, sha256, hashedAt, null);
    }

    /**
     * The version a ledger recorded as sent: its size, time and, where known ({@code changedAtNanos} ≥ 0), its change
     * time, which tells a rewrite that kept the size and time ({@code dd conv=notrunc}, then {@code touch -d}).
     */
    public static SourceState recorded(long size, long mtimeMillis, long changedAtNanos) {
        return new SourceState(size, mtimeMillis, null, null, null, changedAtNanos < 0 ? null
                : FileTime.from(changedAtNanos, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    public static SourceState of(Path file, boolean withHash) throws IOException {
        Attributes a = Attributes.of(file);
        return new SourceState(a.size, a.mtimeMillis, a.fileKey, withHash ? sha256(file, a.size) : null,
                withHash ? a.provenChange() : null, a.changed);
    }

    /**
     * Whether the file was put where it is (renamed, copied or written there) after {@code when}: its change time,
     * which a rename sets and a user cannot set back, is later. False where the system keeps no change time.
     */
    public static boolean placedAfter(Path file, Instant when) throws IOException {
        FileTime changed = Attributes.of(file).changed;
        return changed != null && changed.toInstant().isAfter(when);
    }

    /**
     * The file as it is now, compared with {@code sent}: with a SHA-256 where {@code sent} has one -- taken over from
     * {@code sent} when size, time, identity and the change time it proves are all the same (nothing was written
     * since), read again otherwise.
     */
    public static SourceState now(Path file, SourceState sent) throws IOException {
        Attributes a = Attributes.of(file);
        if (sent.sha256 == null) {
            return new SourceState(a.size, a.mtimeMillis, a.fileKey, null, null, a.changed);
        }
        if (sent.hashedAt != null && a.changed != null && a.changed.equals(sent.hashedAt) && a.size == sent.size
                && a.mtimeMillis == sent.mtimeMillis && a.fileKey != null && a.fileKey.equals(sent.fileKey)) {
            return new SourceState(a.size, a.mtimeMillis, a.fileKey, sent.sha256, sent.hashedAt, a.changed);
        }
        return new SourceState(a.size, a.mtimeMillis, a.fileKey, sha256(file, a.size), a.provenChange(), a.changed);
    }

    /** The same state with the size and time a planner recorded: those are the bytes that were sent. */
    public SourceState as(long sentSize, long sentMtime) {
        return new SourceState(sentSize, sentMtime, fileKey, sha256, hashedAt, changedAt);
    }

    /**
     * This state with the identity and change time of {@code first}, an earlier look (null: this one): a write or a
     * replacement between the two is then a difference from the version that was sent, found at the finish.
     */
    public SourceState seenFirstAs(SourceState first) {
        if (first == null) {
            return this;
        }
        return new SourceState(size, mtimeMillis, first.fileKey != null ? first.fileKey : fileKey, sha256, hashedAt,
                first.changedAt != null ? first.changedAt : changedAt);
    }

    /** What differs from {@code sent}, in words, or null when this is the version that was sent. */
    public String differenceFrom(SourceState sent) {
        if (size != sent.size) {
            return "size " + sent.size + " -> " + size;
        }
        if (mtimeMillis != sent.mtimeMillis) {
            return "modified " + Units.time(sent.mtimeMillis) + " -> " + Units.time(mtimeMillis);
        }
        if (fileKey != null && sent.fileKey != null && !Objects.equals(fileKey, sent.fileKey)) {
            return "replaced by another file of the same name";
        }
        if (sha256 != null && sent.sha256 != null) {
            return sha256.equals(sent.sha256) ? null : "same size and time, different content (SHA-256)";
        }
        if (changedAt != null && sent.changedAt != null && !changedAt.equals(sent.changedAt)) {
            return "written again with its size and modification time kept (its change time moved)";
        }
        return null;
    }

    /**
     * Whether the change time is all that tells this state from {@code sent}: size, time and identity the same, no
     * SHA-256 on both sides to compare. A change of the file's attributes alone ({@code chmod}, {@code chown}, an
     * extended attribute an antivirus sets) moves it, and so does a rewrite that put the size and time back: only the
     * bytes can tell the two apart ({@link SourceCheck#differs(Path, SourceState, SameBytes)}).
     */
    public boolean onlyChangeTimeMovedFrom(SourceState sent) {
        return size == sent.size && mtimeMillis == sent.mtimeMillis
                && (fileKey == null || sent.fileKey == null || Objects.equals(fileKey, sent.fileKey))
                && (sha256 == null || sent.sha256 == null)
                && changedAt != null && sent.changedAt != null && !changedAt.equals(sent.changedAt);
    }

    /**
     * {@code check}'s answer over the file, taken only when the file held still while it ran: its change time older
     * than one tick of the coarse clock at the first look (so a write after it moves it) and size, time, identity and
     * change time the same after as before. False otherwise, and where the system keeps no change time. A change
     * time too recent to prove anything yet (a chmod a moment ago) is waited for: one clock margin, 20 ms.
     */
    static boolean heldStillWhile(Path file, SameBytes check) throws IOException {
        Attributes before = Attributes.of(file);
        if (before.changed != null && before.fileKey != null && before.provenChange() == null) {
            try {
                Thread.sleep(CLOCK_MARGIN_NANOS / 1_000_000 + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while comparing " + file + " with the server's");
            }
            before = Attributes.of(file);
        }
        if (before.provenChange() == null || !check.there(file, before.size)) {
            return false;
        }
        Attributes after = Attributes.of(file);
        return after.size == before.size && after.mtimeMillis == before.mtimeMillis
                && Objects.equals(after.fileKey, before.fileKey) && before.changed.equals(after.changed);
    }

    /** One stat: size, time, identity and, where the system has one, the change time. */
    private record Attributes(long size, long mtimeMillis, Object fileKey, FileTime changed, Instant readAfter) {
        static Attributes of(Path file) throws IOException {
            // Before the stat: a write after it is stamped no earlier than this, less one tick of the coarse clock.
            Instant before = Instant.now();
            try {
                Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,fileKey,ctime");
                return new Attributes((Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).toMillis(),
                        a.get("fileKey"), (FileTime) a.get("ctime"), before);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // No unix view (not Linux or another Unix): no change time, so every look hashes again.
                BasicFileAttributes b = Files.readAttributes(file, BasicFileAttributes.class);
                return new Attributes(b.size(), b.lastModifiedTime().toMillis(), b.fileKey(), null, before);
            }
        }

        /** The change time, when it is old enough that any later write would change it; else null. */
        FileTime provenChange() {
            if (changed == null || fileKey == null) {
                return null;
            }
            Instant c = changed.toInstant();
            long olderBy = (readAfter.getEpochSecond() - c.getEpochSecond()) * 1_000_000_000L
                    + (readAfter.getNano() - c.getNano());
            return olderBy > CLOCK_MARGIN_NANOS ? changed : null;
        }
    }

    /** @param size what the file's attributes said: sizes the buffer only (a file grown since is read to its end) */
    private static String sha256(Path file, long size) throws IOException {
        onHash.accept(file);
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
        // One byte more than the file, so a small file is read in one call and its end in the next; 4 to 64 KiB (a
        // 64 KiB buffer allocated and zeroed per 10 KiB file of a tree cost more than the hashing).
        byte[] buffer = new byte[(int) Math.max(4 * 1024, Math.min(64 * 1024, size + 1))];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                d.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
