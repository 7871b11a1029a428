package dev.ferry.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cancelled upload drop waits in its inbox's {@code .cancelled/}, out of the file consumer's sight, with its
 * segments in the ledger: resuming puts it back into the inbox, whose route runs it again and resumes where it
 * stopped (same path, same transfer id); giving it up moves it to {@code .failed/} with the reason.
 */
public final class CancelledDrops {
    public static final String FOLDER = ".cancelled";

    private CancelledDrops() {
    }

    /** Where the drop that was at {@code localPath} waits, if it does. */
    public static Optional<Path> find(Path localPath) {
        Path kept = keptAt(localPath);
        return Files.isRegularFile(kept, LinkOption.NOFOLLOW_LINKS) ? Optional.of(kept) : Optional.empty();
    }

    /** Puts the drop back where it was dropped; the inbox takes it again (its modification time is unchanged). */
    public static void restore(Path localPath) throws IOException {
        Path kept = find(localPath).orElseThrow(() -> new IOException("no cancelled drop " + keptAt(localPath)));
        if (Files.exists(localPath, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(localPath + " was dropped again meanwhile; it runs on its own ("
                    + kept + " stays where it is)");
        }
        Files.move(kept, localPath);
    }

    /** Moves the waiting drop to {@code .failed/} with {@code reason}; returns where it went. */
    public static Path giveUp(Path localPath, String reason) throws IOException {
        Path kept = find(localPath).orElseThrow(() -> new IOException("no cancelled drop " + keptAt(localPath)));
        Path failed = localPath.toAbsolutePath().getParent().resolve(FailedDrops.FOLDER);
        Files.createDirectories(failed);
        String name = FailedDrops.freeName(failed, kept.getFileName().toString());
        return ReasonFiles.moveWithReason(kept, failed.resolve(name), failed, name, reason);
    }

    /**
     * A later drop of the same name is being cancelled too and takes the place in {@code .cancelled/}: the earlier
     * one, whose transfer (the same id, as the name is the same) now belongs to the later one, goes to
     * {@code .failed/} with a reason instead of being replaced.
     */
    static void makeRoom(Path localPath) throws IOException {
        giveUpIfThere(localPath, "a later file of the same name was cancelled too and now waits in " + FOLDER
                + "/ in this one's place (one transfer per name: resuming it resumes the later file).");
    }

    /**
     * A later drop of the same name was sent: the transfer the waiting drop could have resumed is that one's now
     * (done: neither resumed nor given up any more), so the waiting drop goes to {@code .failed/} with a reason
     * instead of waiting for ever.
     */
    static void supersededBy(Path localPath) throws IOException {
        giveUpIfThere(localPath, "a later file of the same name was sent meanwhile (one transfer per name), so this"
                + " cancelled one can no longer be resumed.");
    }

    private static void giveUpIfThere(Path localPath, String why) throws IOException {
        if (find(localPath).isPresent()) {
            giveUp(localPath, why + " This file is kept here; drop it into the inbox again to send it.");
        }
    }

    static Path keptAt(Path localPath) {
        Path abs = localPath.toAbsolutePath();
        return abs.getParent().resolve(FOLDER).resolve(abs.getFileName());
    }
}
