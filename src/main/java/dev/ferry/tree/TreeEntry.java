package dev.ferry.tree;

/**
 * One file of a tree, by its path relative to the tree's root ({@code /}-separated, every name checked by
 * {@link HostileNames}).
 *
 * @param mtime     epoch millis, -1 when unknown
 * @param exactTime the time is to the second (MLSD, MDTM, a local file), not a LIST line's minute or day
 */
public record TreeEntry(String relative, long size, long mtime, boolean exactTime) {
}
