package dev.ferry.tree;

import dev.ferry.Printable;
import java.nio.charset.StandardCharsets;

/**
 * Which names from a listing (remote, or a local folder's) may become a path on the other side. A listing is the
 * other party's word: a name that is not a single plain name would write somewhere the user did not choose, so it
 * is refused, and the reason says why in words. {@link dev.ferry.plan.PathGuard} still checks every resolved path.
 */
public final class HostileNames {
    /** Longest name most file systems take (ext4, XFS, NTFS in UTF-16 units, counted here in UTF-8 bytes). */
    static final int MAX_NAME_BYTES = 255;

    private HostileNames() {
    }

    /** Why {@code name} must not be used as one path element, or null when it may. */
    public static String refusal(String name) {
        if (name == null || name.isEmpty()) {
            return "the name is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "the name is '" + name + "', which would name a folder above or itself";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return "the name contains a " + (name.indexOf('/') >= 0 ? "'/'" : "'\\'")
                    + ", which would make it a path into another folder";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                return "the name contains a NUL character";
            }
            if (c == '\r' || c == '\n') {
                return "the name contains a line break (CR or LF), which would forge a line in a listing or log";
            }
            if (c < 0x20 || c == 0x7f) {
                return "the name contains the control character " + String.format("\\u%04x", (int) c);
            }
            if (c == '\uFFFD') {
                return "the name does not decode in the listing's charset (set the server's fallback charset, e.g."
                        + " GBK, if its names are not UTF-8)";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "the name is longer than " + MAX_NAME_BYTES + " bytes";
        }
        if (dev.ferry.transfer.PartFiles.isWorkName(name)) {
            return "the name has the form of a part file Ferry writes while it transfers (.<name>.ferry-<id>.part):"
                    + " another transfer's work in progress, not a file to copy";
        }
        return null;
    }

    /** The name with every character that could break a log line shown as \\uXXXX. */
    public static String printable(String name) {
        return name == null ? "(no name)" : Printable.of(name);
    }
}
