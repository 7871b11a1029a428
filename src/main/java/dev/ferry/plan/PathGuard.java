package dev.ferry.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Invariant 5: a remote name never writes outside the local target directory, and a local name never outside the
 * remote base directory. Names with a NUL or another control character, {@code ..} segments or an absolute form
 * are refused with a message that names them. Real paths count, not names: a local name that reaches outside its
 * directory through a symbolic link, or that is itself a link, is refused too.
 */
public final class PathGuard {
    private static final java.util.regex.Pattern SLASHES = java.util.regex.Pattern.compile("/+");
    private PathGuard() {
    }

    /** A file name or relative path, checked, resolved inside {@code directory}. */
    public static Path localInside(Path directory, String relative) {
        Path base = directory.toAbsolutePath().normalize();
        Path resolved = byName(base, relative);
        requireRealInside(base, realOfExisting(base), resolved, relative);
        return resolved;
    }

    /**
     * A directory for many names ({@link Root#inside}, as {@link #localInside}), its own real path looked up once: a
     * tree's thousands of files repeated that lookup (a stat and a readlink per folder above it) for every file.
     * Should the directory itself become a link later, its names then resolve outside the real path looked up here
     * and are refused.
     */
    public static Root root(Path directory) {
        Path base = directory.toAbsolutePath().normalize();
        return new Root(base, realOfExisting(base));
    }

    /** See {@link #root}. */
    public record Root(Path base, Path realBase) {
        public Path inside(String relative) {
            Path resolved = byName(base, relative);
            requireRealInside(base, realBase, resolved, relative);
            return resolved;
        }
    }

    /**
     * {@link #localInside}'s checks of the name alone (control characters, {@code ..}, absolute, invalid), no look at
     * the disk. For a step that only records a name to be written later: the links on the disk may change before
     * then, so the writer's own {@link #localInside} is the check that counts, and a real-path check here would only
     * repeat it (a tree's walk: two stat and readlink runs per file).
     */
    public static Path localName(Path directory, String relative) {
        return byName(directory.toAbsolutePath().normalize(), relative);
    }

    private static Path byName(Path base, String relative) {
        String name = checkRelative(relative, "local");
        try {
            Path resolved = base.resolve(name).normalize();
            if (!resolved.startsWith(base) || resolved.equals(base)) {
                throw new UnsafePathException("'" + printable(relative) + "' would leave the directory " + base);
            }
            return resolved;
        } catch (InvalidPathException e) {
            throw new UnsafePathException("'" + printable(relative) + "' is not a valid local name: "
                    + e.getReason());
        }
    }

    /**
     * The links on the disk as they are now: the existing part of {@code resolved}'s folder chain must lead, link by
     * link, to a place inside {@code base}'s real path, and the file itself must not be a link (writing through it
     * would reach its target). Where a link appears later, opening without following links catches it.
     */
    private static void requireRealInside(Path base, Path realBase, Path resolved, String relative) {
        if (Files.isSymbolicLink(resolved)) {
            throw new UnsafePathException("'" + printable(relative) + "' in " + base + " is a symbolic link; Ferry does"
                    + " not write through links: remove the link or choose another name");
        }
        Path real = realOfExisting(resolved);
        if (!real.startsWith(realBase)) {
            throw new UnsafePathException("'" + printable(relative) + "' leads outside " + base + " through the"
                    + " symbolic link " + firstLink(base, resolved) + " (to " + real.getParent() + "); nothing was"
                    + " written: use a name without links out of the directory");
        }
    }

    /** The real path of the longest existing prefix of {@code p}, with the rest of the names appended. */
    static Path realOfExisting(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            Path real = existing.toRealPath();
            return real.resolve(existing.relativize(p)).normalize();
        } catch (IOException e) {
            // A dangling link (its target is gone): where it leads cannot be proved inside, so it counts as outside.
            throw new UnsafePathException(existing + " cannot be resolved (" + e.getMessage() + "); a dangling symbolic"
                    + " link? Remove it or choose another name");
        }
    }

    private static Path firstLink(Path base, Path resolved) {
        Path p = base;
        for (Path part : base.relativize(resolved)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                return p;
            }
        }
        return resolved;
    }

    /** A remote path under {@code baseDir} ("/" allowed); the result is absolute and normalised. */
    public static String remoteInside(String baseDir, String relative) {
        String name = checkRelative(relative, "remote");
        String base = normaliseRemoteDir(baseDir);
        return (base.equals("/") ? "" : base) + "/" + name;
    }

    /** A remote absolute path given in full (e.g. a download request), checked for tricks. */
    public static String remoteAbsolute(String path) {
        if (path == null || path.isBlank()) {
            throw new UnsafePathException("the remote path is empty");
        }
        checkCharacters(path, "remote");
        String p = path.startsWith("/") ? path : "/" + path;
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                throw new UnsafePathException("remote path '" + printable(path) + "' contains '..'");
            }
        }
        return p.contains("//") ? SLASHES.matcher(p).replaceAll("/") : p;
    }

    /** The last element of a remote path. */
    public static String remoteName(String remotePath) {
        String p = remotePath.endsWith("/") ? remotePath.substring(0, remotePath.length() - 1) : remotePath;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** The directory part of a remote path ("/" for a file in the root). */
    public static String remoteParent(String remotePath) {
        int slash = remotePath.lastIndexOf('/');
        return slash <= 0 ? "/" : remotePath.substring(0, slash);
    }

    static String normaliseRemoteDir(String dir) {
        if (dir == null || dir.isBlank() || dir.equals("/")) {
            return "/";
        }
        String d = remoteAbsolute(dir);
        return d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
    }

    private static String checkRelative(String relative, String kind) {
        if (relative == null || relative.isBlank()) {
            throw new UnsafePathException("the " + kind + " name is empty");
        }
        checkCharacters(relative, kind);
        String r = relative.replace('\\', '/');
        if (r.startsWith("/") || driveLetter(r)) {
            throw new UnsafePathException(kind + " name '" + printable(relative) + "' is absolute; only names "
                    + "relative to the configured directory are allowed");
        }
        for (String part : r.split("/")) {
            if (part.equals("..")) {
                throw new UnsafePathException(kind + " name '" + printable(relative) + "' contains '..'");
            }
        }
        return r;
    }

    /** "C:..." (a Windows drive); by hand, as String.matches compiled its pattern again for every file of a tree. */
    private static boolean driveLetter(String r) {
        if (r.length() < 2 || r.charAt(1) != ':') {
            return false;
        }
        char c = r.charAt(0);
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    private static void checkCharacters(String name, String kind) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new UnsafePathException(kind + " name '" + printable(name)
                        + "' contains a control character (code " + (int) c + "); such a name is not transferred:"
                        + " rename it without one");
            }
        }
    }

    /** The name with control characters shown as \\uXXXX, safe for one log line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
