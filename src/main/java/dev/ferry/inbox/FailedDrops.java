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
        Path target = folder.resolve(drop.getFileName());
        String name = shown;
        for (int n = 2; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
            // An earlier drop of the same name is there with its own reason: keep both.
            name = shown + "." + n;
            target = folder.resolve(name);
        }
        return ReasonFiles.moveWithReason(drop, target, folder, name, reason);
    }
}
