package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A downloaded tree as the user sees it: files under their final (not hidden) names, and their SHA-256. */
public final class PublishedTree {
    private PublishedTree() {
    }

    /** The tree's files under their final names; none while the folder is not there yet. */
    public static List<Path> files(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of(); // a part file renamed while walked: looked at again on the next poll
        }
    }

    /** Relative path to SHA-256, sorted. */
    public static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (Path f : files(root)) {
            m.put(root.relativize(f).toString(), Hashes.sha256(f));
        }
        return m;
    }
}
