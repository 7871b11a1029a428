package dev.ferry.tree;

/**
 * How far a tree walk goes before it refuses: a listing that never ends (a server following a symbolic link into
 * its own parent) meets the depth limit, one that is simply huge meets the entry limit, and neither grows memory.
 *
 * @param maxDepth   directory levels below the root that are entered
 * @param maxEntries entries of the whole tree (files, folders and refused names) that are looked at
 * @param parallel   files in flight at once
 */
public record TreeLimits(int maxDepth, int maxEntries, int parallel) {
    public static final TreeLimits DEFAULTS = new TreeLimits(32, 100_000, 4);

    public TreeLimits {
        if (maxDepth < 1 || maxEntries < 1 || parallel < 1) {
            throw new IllegalArgumentException("tree limits must be 1 or more: depth " + maxDepth + ", entries "
                    + maxEntries + ", parallel " + parallel);
        }
    }
}
