package dev.ferry.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Moves a drop Ferry will not transfer into its inbox's {@code .failed/} with the reason beside it, as the inbox
 * routes do for drops whose transfer failed: a drop is never left unanswered, and never replaces an earlier one.
 */
public final class FailedDrops {
    public static final String FOLDER = ".failed";

    private FailedDrops() {
    }

    /**
     * Moves {@code drop} (a file or a folder) to {@code .failed/} next to it, with its reason file.
     *
     * @param shown the drop's name as a person reads it (a name that is not UTF-8 is shown with %XX escapes)
     * @return where the drop went
     */
    public static Path fail(Path drop, String shown, String reason) throws IOException {
        Path folder = drop.toAbsolutePath().getParent().resolve(FOLDER);
        Files.createDirectories(folder);
        Path own = folder.resolve(drop.getFileName());
        if (!Files.exists(own, LinkOption.NOFOLLOW_LINKS)) {
            // Byte for byte: a name that is not UTF-8 would come back from a String changed (each bad byte U+FFFD).
            return ReasonFiles.moveWithReason(drop, own, folder, shown, reason);
        }
        // Taken: the suffix can only be added to the name as a String.
        String free = freeName(folder, drop.getFileName().toString());
        // The suffix a free name adds goes onto the name as shown, so its reason file pairs with it.
        String name = shown + free.substring(drop.getFileName().toString().length());
        return ReasonFiles.moveWithReason(drop, folder.resolve(free), folder, name, reason);
    }

    /**
     * The name a failed drop called {@code name} gets in {@code folder}: its own, or with {@code .2}, {@code .3} ...
     * added when an earlier drop of that name is there with its own reason -- the earlier one is the only copy of
     * its content, so it is never replaced. The inbox routes (their moveFailed), folder drops and cancelled drops
     * given up all take their name here, and name the reason file after it.
     */
    public static String freeName(Path folder, String name) {
        String free = name;
        for (int n = 2; Files.exists(folder.resolve(free), LinkOption.NOFOLLOW_LINKS); n++) {
            free = name + "." + n;
        }
        return free;
    }
}
