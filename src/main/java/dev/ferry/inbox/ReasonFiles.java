package dev.ferry.inbox;

import dev.ferry.Printable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The {@code <name>.error.txt} beside a failed drop, whose name always fits: most file systems allow 255 bytes per
 * name, so a drop whose name is already near that gets a reason file named by a prefix and a hash of its name (and
 * the text says so, naming the drop in full).
 */
public final class ReasonFiles {
    static final String SUFFIX = ".error.txt";
    /** 255 less one: the route writes the file under a hidden temporary name ({@code .<name>}) first. */
    private static final int MAX_NAME_BYTES = 254;

    private ReasonFiles() {
    }

    /** {@code <name>.error.txt}, or {@code <prefix>~<hash>.error.txt} when that would be too long a name. */
    public static String nameFor(String dropName) {
        String plain = dropName + SUFFIX;
        if (utf8(plain) <= MAX_NAME_BYTES) {
            return plain;
        }
        String tail = "~" + hash(dropName) + SUFFIX;
        StringBuilder prefix = new StringBuilder();
        int budget = MAX_NAME_BYTES - utf8(tail);
        for (int i = 0; i < dropName.length(); ) {
            int cp = dropName.codePointAt(i);
            String c = new String(Character.toChars(cp));
            if (utf8(prefix + c) > budget) {
                break;
            }
            prefix.append(c);
            i += Character.charCount(cp);
        }
        return prefix + tail;
    }

    /** The reason as a person reads it: when, which drop, why; and where the reason file's name was shortened. */
    public static String text(String dropName, String reason) {
        String when = OffsetDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String shortened = nameFor(dropName).equals(dropName + SUFFIX) ? ""
                : "(This file's name is shortened: " + Printable.of(dropName) + SUFFIX
                + " would be longer than a file name may be.)\n";
        return when + " Ferry could not transfer " + Printable.of(dropName) + ":\n" + reason + "\n" + shortened;
    }

    /**
     * Moves {@code drop} to {@code target} in {@code folder} with its reason file beside it: the reason first, so a
     * drop is never in the folder without one (a full disk); if the move then fails, the reason goes and the drop
     * stays where it was, for the next try.
     */
    static Path moveWithReason(Path drop, Path target, Path folder, String name, String reason) throws IOException {
        Path written = write(folder, name, reason);
        try {
            return Files.move(drop, target);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(written);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    /** Writes (or replaces) the reason file for {@code dropName} in {@code folder}; returns its path. */
    static Path write(Path folder, String dropName, String reason) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(nameFor(dropName));
        // Whole or not at all: whoever watches the folder never reads half a reason.
        Path staged = folder.resolve(".ferry-reason-" + hash(dropName) + ".tmp");
        try {
            Files.writeString(staged, text(dropName, reason), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            return Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // A full disk: the half-written staging file was left behind, one per drop (914 in a review's run).
            try {
                Files.deleteIfExists(staged);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String hash(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * A drop or request moved back from {@code .failed/} to run again (after a cancel, a full disk) leaves its reason
     * there; once it ran, that reason is no longer true. Only a reason whose drop is gone from {@code failed}.
     */
    public static void dropStale(Path failed, String name) {
        try {
            if (!Files.exists(failed.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(failed.resolve(nameFor(name)));
            }
        } catch (IOException | RuntimeException e) {
            // Not worth a failure: the drop itself is filed; its old reason stays.
        }
    }
}
