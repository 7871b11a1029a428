package dev.ferry.tree;

import dev.ferry.plan.PathGuard;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.commons.net.ftp.FTPFile;

/**
 * Walks a remote directory tree, one listing at a time, depth first. Memory holds one directory's entries and the
 * names of the folders still to visit, never the tree. Every entry is either handed on as a file or folder with a
 * checked relative path, or refused with a reason: a hostile name ({@link HostileNames}), a symbolic link (never
 * followed, so no link can lead the walk in a loop or out of the tree), a folder deeper than the depth limit, or
 * anything past the entry limit.
 */
public final class RemoteTree {
    /** What the walk finds. Called on the walking thread, after the directory's listing session is given back. */
    public interface Visitor {
        /** A folder of the listing; false when it is refused (the visitor said why): nothing below it is listed. */
        boolean folder(String relative) throws IOException;

        void file(TreeEntry entry) throws IOException;

        void refused(String relative, String reason);

        /**
         * The folder's entries have all been handed on ({@code names}: every name its listing had, refused or
         * not); {@code whole} is false when the entry limit cut the listing short.
         */
        default void listed(String relative, java.util.Set<String> names, boolean whole) throws IOException {
        }
    }

    private final ListingSource source;
    private final TreeLimits limits;

    public RemoteTree(ListingSource source, TreeLimits limits) {
        this.source = source;
        this.limits = limits;
    }

    /** A folder's listing is tried at most this many times when the connection fails under it. */
    static final int LIST_ATTEMPTS = 3;

    /** Walks the tree under {@code root}; a listing that fails is refused for its folder and the walk goes on. */
    public void walk(String root, Visitor visitor) throws IOException {
        String base = rootOf(root);
        Deque<Pending> pending = new ArrayDeque<>();
        pending.push(new Pending("", 0));
        int[] entries = {0};
        boolean first = true;
        while (!pending.isEmpty()) {
            if (Thread.currentThread().isInterrupted()) {
                // The tree stopped (Ctrl-C, the service stopping): no folder is listed after that.
                throw new java.io.InterruptedIOException("the walk of " + base + " was interrupted");
            }
            Pending dir = pending.pop();
            String remoteDir = dir.relative.isEmpty() ? base : join(base, dir.relative);
            List<Listed> listed = new ArrayList<>();
            int[] over = {0};
            boolean exact;
            try {
                exact = listWithRetries(remoteDir, listed, entries, over);
            } catch (IOException e) {
                if (first || e instanceof java.io.InterruptedIOException) {
                    throw e; // the root itself: nothing to mirror, the caller says why
                }
                visitor.refused(dir.relative, "its listing failed: " + e.getMessage());
                continue;
            }
            first = false;
            if (over[0] > 0) {
                visitor.refused(dir.relative.isEmpty() ? "." : dir.relative, over[0] + " entries not taken: the tree"
                        + " has more than " + limits.maxEntries() + " entries (the entry limit)");
            }
            List<Pending> below = new ArrayList<>();
            // A server may list a name twice (a listing read while the folder changed, a buggy server): run twice,
            // the second run met the first's file and failed "already exists", and the folder ended incomplete.
            java.util.Map<String, Listed> seen = new java.util.HashMap<>();
            for (Listed f : listed) {
                if (f == null) {
                    visitor.refused(dir.relative.isEmpty() ? "." : dir.relative, "a line in the listing of "
                            + HostileNames.printable(remoteDir) + " could not be parsed, so what it names is not"
                            + " transferred; nothing in this folder is deleted");
                    continue;
                }
                String name = f.name;
                if (f.type == FTPFile.DIRECTORY_TYPE && (".".equals(name) || "..".equals(name))) {
                    continue; // the listing's own entries for this folder and its parent
                }
                String shown = dir.relative.isEmpty() ? HostileNames.printable(name)
                        : dir.relative + "/" + HostileNames.printable(name);
                Listed earlier = seen.putIfAbsent(name, f);
                if (earlier != null) {
                    if (!earlier.equals(f)) {
                        visitor.refused(shown, "listed twice in the listing of " + HostileNames.printable(remoteDir)
                                + ", the second time as " + f.describe() + " against " + earlier.describe()
                                + "; the first is taken");
                    }
                    continue; // the same entry twice: taken once
                }
                String reason = HostileNames.refusal(name);
                if (reason != null) {
                    visitor.refused(shown, reason);
                } else if (f.type == FTPFile.SYMBOLIC_LINK_TYPE) {
                    visitor.refused(shown, "a symbolic link" + (f.link == null ? "" : " (to "
                            + HostileNames.printable(f.link) + ")") + "; links are not followed");
                } else if (f.type == FTPFile.DIRECTORY_TYPE) {
                    if (dir.depth + 1 > limits.maxDepth()) {
                        visitor.refused(shown, "a folder deeper than " + limits.maxDepth() + " levels (the depth"
                                + " limit; a link looping into its own parent looks like this)");
                    } else {
                        if (visitor.folder(shown)) {
                            below.add(new Pending(shown, dir.depth + 1));
                        }
                    }
                } else if (f.type == FTPFile.FILE_TYPE) {
                    visitor.file(new TreeEntry(shown, f.size, f.mtime, exact));
                } else {
                    visitor.refused(shown, "neither a file nor a folder in the listing");
                }
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            boolean whole = over[0] == 0;
            for (Listed f : listed) {
                if (f != null) {
                    names.add(f.name);
                } else {
                    whole = false; // an unparsed line may name a file that is there
                }
            }
            listed.clear();
            names.remove(".");
            names.remove("..");
            if (whole && names.isEmpty() && !dir.relative.isEmpty() && !source.enterable(remoteDir)) {
                visitor.refused(dir.relative, "it lists as empty but cannot be entered (no permission to enter it?),"
                        + " so what it holds is not known; nothing in this folder is deleted");
                whole = false;
            }
            visitor.listed(dir.relative, names, whole);
            // Reversed onto the stack, so folders are visited in the listing's order.
            for (int i = below.size() - 1; i >= 0; i--) {
                pending.push(below.get(i));
            }
        }
    }

    /**
     * One folder's entries into {@code listed}, counted against the entry limit. A connection cut under the listing
     * (or a reply garbled) is tried again from the start, with what the failed try handed over forgotten; a refusal
     * (550, a missing folder) is an answer.
     */
    private boolean listWithRetries(String remoteDir, List<Listed> listed, int[] entries, int[] over)
            throws IOException {
        int before = entries[0];
        for (int attempt = 1; ; attempt++) {
            try {
                return source.list(remoteDir, f -> {
                    if (entries[0] >= limits.maxEntries()) {
                        over[0]++;
                    } else {
                        entries[0]++;
                        listed.add(Listed.of(f));
                    }
                });
            } catch (dev.ferry.ftp.FtpException e) {
                if (!e.isTransient() || e instanceof dev.ferry.ftp.RemoteNotFoundException
                        || attempt == LIST_ATTEMPTS) {
                    throw e;
                }
                entries[0] = before;
                over[0] = 0;
                listed.clear();
            }
        }
    }

    static String rootOf(String root) {
        String r = PathGuard.remoteAbsolute(root);
        return r.length() > 1 && r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    }

    static String join(String base, String relative) {
        return base.equals("/") ? "/" + relative : base + "/" + relative;
    }

    private record Pending(String relative, int depth) {
    }

    /**
     * What the walk keeps of a listed entry until its folder's listing is done: a fraction of an {@link FTPFile}
     * (which holds its raw line and a Calendar), so a folder at the entry limit stays a few MiB.
     */
    private record Listed(String name, int type, long size, long mtime, String link) {
        String describe() {
            String kind = type == FTPFile.DIRECTORY_TYPE ? "a folder" : type == FTPFile.FILE_TYPE ? "a file"
                    : type == FTPFile.SYMBOLIC_LINK_TYPE ? "a link" : "an entry";
            return kind + (type == FTPFile.FILE_TYPE ? " of " + size + " bytes" : "")
                    + (mtime < 0 ? "" : " of " + java.time.Instant.ofEpochMilli(mtime));
        }

        static Listed of(FTPFile f) {
            if (f == null) {
                return null;
            }
            return new Listed(f.getName(), f.getType(), f.getSize(),
                    f.getTimestamp() == null ? -1 : f.getTimestamp().getTimeInMillis(), f.getLink());
        }
    }
}
