package dev.ferry.plan;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Invariant 5: a remote name never writes outside the local target directory, and a local name never outside the
 * remote base directory. Names with a NUL or another control character, {@code ..} segments or an absolute form
 * are refused with a message that names them.
 */
public final class PathGuard {
    private PathGuard() {
    }

    /** A file name or relative path, checked, resolved inside {@code directory}. */
    public static Path localInside(Path directory, String relative) {
        String name = checkRelative(relative, "local");
        Path base = directory.toAbsolutePath().normalize();
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
        return p.replaceAll("/+", "/");
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
        if (r.startsWith("/") || r.matches("^[A-Za-z]:.*")) {
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

    private static void checkCharacters(String name, String kind) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new UnsafePathException(kind + " name '" + printable(name)
                        + "' contains a control character (code " + (int) c + ")");
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
