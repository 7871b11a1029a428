package dev.ferry.inbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Moves a drop Ferry answered itself (a folder uploaded as a tree) into {@code .done/}, as the file routes do. */
final class DoneDrops {
    static final String FOLDER = ".done";

    private DoneDrops() {
    }

    /** An earlier drop of the same name stays, set aside with its time, as {@code camel.DoneFolder} does for files. */
    static Path done(Path drop) throws IOException {
        try {
            new dev.ferry.camel.DoneFolder().keepEarlier(drop.toAbsolutePath().toString(), FOLDER);
        } catch (UncheckedIOException e) {
            // The file routes' helper throws unchecked (a Camel bean); this method's callers handle IOException, and
            // one that escaped ended the whole inbox sweep. Its message says what to do.
            throw new IOException(e.getMessage(), e.getCause());
        }
        Path folder = drop.toAbsolutePath().getParent().resolve(FOLDER);
        Files.createDirectories(folder);
        Path target = folder.resolve(drop.getFileName());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " is still there");
        }
        return Files.move(drop, target);
    }
}
