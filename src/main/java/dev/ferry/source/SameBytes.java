package dev.ferry.source;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Whether the server's copy of a file holds the file's bytes, asked only when the local file's change time alone
 * says it may differ (see {@link SourceCheck#differs(Path, SourceState, SameBytes)}): comparing the bytes costs a
 * hash on both sides, sending the file again costs all of it.
 */
@FunctionalInterface
public interface SameBytes {
    /** @param size the file's size as a stat gave it just before */
    boolean there(Path file, long size) throws IOException;
}
