package dev.ferry.camel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The same name dropped twice must not lose the first drop: Camel's file consumer replaces a file of the same name in
 * {@code .done/}. Called by the inbox routes just before the consumer moves a finished drop, it renames the earlier
 * copy with its modification time as a suffix ({@code a.txt.20261203-053012}).
 */
public final class DoneFolder {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** @param drop the dropped file's absolute path; {@code folder} the consumer's move folder, e.g. .done */
    public void keepEarlier(String drop, String folder) {
        Path file = Path.of(drop);
        Path earlier = file.resolveSibling(folder).resolve(file.getFileName());
        if (!Files.exists(earlier, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            // The drop is not here to be moved: another node filed it already (a frozen master woken after the
            // other took the inbox over), and what is in the folder under its name is that very drop, not an earlier one.
            return;
        }
        try {
            String stamp = STAMP.format(Files.getLastModifiedTime(earlier, LinkOption.NOFOLLOW_LINKS).toInstant());
            for (int n = 0; ; n++) {
                Path aside = earlier.resolveSibling(earlier.getFileName() + "." + stamp + (n == 0 ? "" : "-" + n));
                try {
                    // Without REPLACE_EXISTING: an earlier copy already set aside under this name stays too.
                    Files.move(earlier, aside);
                    return;
                } catch (FileAlreadyExistsException e) {
                    // Two copies in one second: the next number.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the earlier " + earlier + " aside (" + e.getMessage() + ");"
                    + " move it away so that " + file.getFileName() + " can go to " + folder, e);
        }
    }
}
