package dev.ferry.tree;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.List;

/**
 * Which files of a tree are taken, and whether extraneous local files go. A glob with a {@code /} is matched against
 * the path relative to the tree's root, one without against the file name alone ({@code *.csv}, {@code logs/**}).
 * With includes, a file must match one; it must match no exclude. Folders are always walked: a filter picks files.
 *
 * @param include    globs a file must match one of (none: every file)
 * @param exclude    globs a file must match none of
 * @param newerThan  only files modified after this (null: any age); a file whose time the listing does not give is
 *                   taken, so nothing is left out for want of a time
 * @param delete     download only: local files and folders under the root that the remote tree does not have are
 *                   deleted (never a file a filter left out, nor a folder whose listing failed or was cut short)
 */
public record TreeFilter(List<String> include, List<String> exclude, Instant newerThan, boolean delete) {
    public static final TreeFilter ALL = new TreeFilter(List.of(), List.of(), null, false);

    public TreeFilter {
        include = List.copyOf(include == null ? List.of() : include);
        exclude = List.copyOf(exclude == null ? List.of() : exclude);
        for (String g : include) {
            matcher(g); // a malformed glob fails here, before the tree starts
        }
        for (String g : exclude) {
            matcher(g);
        }
    }

    /** True when the file at {@code relative} ({@code /}-separated) modified at {@code mtime} (-1: unknown) is taken. */
    public boolean takes(String relative, long mtime) {
        if (newerThan != null && mtime >= 0 && mtime <= newerThan.toEpochMilli()) {
            return false;
        }
        return !leavesOut(relative);
    }

    /**
     * True when the globs leave the file at {@code relative} out, whatever its time: mirror's delete keeps such a
     * local file (as rsync and lftp keep excluded files), since the filter says it is none of this mirror's business.
     */
    public boolean leavesOut(String relative) {
        if (!include.isEmpty() && include.stream().noneMatch(g -> matches(g, relative))) {
            return true;
        }
        return exclude.stream().anyMatch(g -> matches(g, relative));
    }

    /** True when a filter leaves some files out (then a file missing remotely may just be filtered). */
    boolean narrows() {
        return !include.isEmpty() || !exclude.isEmpty() || newerThan != null;
    }

    private static boolean matches(String glob, String relative) {
        String subject = glob.contains("/") ? relative : relative.substring(relative.lastIndexOf('/') + 1);
        return matcher(glob).matches(Path.of(subject));
    }

    private static PathMatcher matcher(String glob) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a glob: " + glob + " (" + e.getMessage() + ")", e);
        }
    }
}
