package dev.ferry.inbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the drops the upload inbox's file consumer never takes, so none waits in the inbox for ever: a folder,
 * a file whose name is not valid UTF-8 (Java names it with U+FFFD, and the consumer cannot open what it lists), a
 * name with a backslash, and a symbolic link to a folder or to nothing,
 * once it has settled: unchanged since the last sweep and older than the inbox's read-lock age, as a file drop must
 * be. A folder is uploaded as a tree where {@link #uploadingFolders} gave the way, and moves to {@code .done/} when
 * every file is verified; anything else goes to {@code .failed/} with a reason and one log line.
 * Hidden names are left alone (work in progress, and the inbox's own folders). The timer route in
 * routes/upload-drops.yaml calls {@link #sweep}.
 */
public final class OddDrops {
    private static final Logger LOG = LoggerFactory.getLogger(OddDrops.class);

    private final Path inbox;
    private final Duration settle;
    private final Clock clock;
    /** What each odd drop looked like at the last sweep: it is answered only when it looks the same again. */
    private final Map<Path, String> seen = new HashMap<>();
    /**
     * Drops answered whose move out of the inbox was refused (a folder another user owns needs write permission on
     * itself to move): tried again at every sweep, silently, while they look the same -- not uploaded again every two
     * seconds with a WARN each time, for ever, as they were.
     */
    private final Map<Path, Unmoved> unmoved = new HashMap<>();

    /** How a drop looked when its move was refused, and the move to try again. */
    private record Unmoved(String look, Move move) {
    }

    @FunctionalInterface
    private interface Move {
        /** Moves the drop to where its answer files it; returns the line to log. */
        String run() throws IOException;
    }
    private volatile FolderUploads folders;
    /** The request inbox's sweep ({@link #ofRequests}): only names ending in .json are requests to answer. */
    private boolean requests;

    public OddDrops(Path inbox, Duration settle, Clock clock) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.settle = settle;
        this.clock = clock;
    }

    private volatile java.util.function.BooleanSupplier stopping = () -> false;

    /**
     * What says the service is stopping: a folder whose upload ends then (its files stopped, the ledger closed) did
     * not fail; it stays in the inbox, and the next start sends what is missing.
     */
    public OddDrops stoppingWhen(java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
        return this;
    }

    /**
     * The same for the request inbox, whose file consumer takes regular files named {@code *.json} only: a name
     * ending in .json that it lists but cannot open (not valid UTF-8), a folder or a link to one so named, and a link
     * to nothing, were left there unanswered. Other names are not requests, and are left alone.
     */
    public static OddDrops ofRequests(Path inbox, Duration settle, Clock clock) {
        OddDrops sweep = new OddDrops(inbox, settle, clock);
        sweep.requests = true;
        return sweep;
    }

    private String inboxName() {
        return requests ? "request inbox" : "upload inbox";
    }

    /** Folders are uploaded as trees by {@code uploads} from now on, rather than refused. */
    public OddDrops uploadingFolders(FolderUploads uploads) {
        this.folders = uploads;
        return this;
    }

    /** One look at the inbox; returns how many drops were answered. */
    public synchronized int sweep() {
        if (!Files.isDirectory(inbox)) {
            return 0;
        }
        int answered = 0;
        Set<Path> present = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(inbox)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || requests && !shown(p).endsWith(".json")) {
                    continue;
                }
                boolean folder = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                boolean badName = !folder && !Files.exists(inbox.resolve(name), LinkOption.NOFOLLOW_LINKS);
                if (!folder && !badName && !unreadable(p, name)) {
                    continue; // the file consumer's
                }
                present.add(p);
                String look = look(p);
                Unmoved waiting = unmoved.get(p);
                if (waiting != null && waiting.look.equals(look)) {
                    answered += moveAgain(p, waiting) ? 1 : 0;
                    continue;
                }
                // Changed since (or never answered): answered afresh once it settles.
                unmoved.remove(p);
                if (look == null || !look.equals(seen.put(p, look)) || !settled(look)) {
                    continue;
                }
                answered += answer(p, folder, look) ? 1 : 0;
                seen.remove(p);
            }
        } catch (IOException | RuntimeException e) {
            // One line, every second at most: the timer tries again (a stack trace each time would flood the log).
            LOG.warn("cannot list the {} {}: {}", inboxName(), inbox, e.toString());
        }
        seen.keySet().retainAll(present);
        unmoved.keySet().retainAll(present);
        return answered;
    }

    private boolean moveAgain(Path p, Unmoved waiting) {
        try {
            LOG.info(waiting.move.run());
            unmoved.remove(p);
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // said once, with what to do, when it was first refused
        }
    }

    /**
     * The drop's answer is known but its move was refused: said once, in the log and in a reason file in
     * {@code .failed/} (with what to do), and tried again at every sweep while the drop stays as it is.
     */
    private boolean refusedMove(Path p, String shown, String look, String answer, IOException e, Move move) {
        unmoved.put(p, new Unmoved(look, move));
        boolean folder = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        String why = (folder ? "folder " : "") + shown + " " + answer + ", but it cannot be moved out of the "
                + inboxName() + " (" + e + "). The user Ferry runs as needs to be allowed to rename it" + (folder
                ? " (a folder moved into another folder needs write permission on the folder itself, and on the inbox)"
                : " (write permission on the inbox)") + ": give it that, or move it out yourself. It is not sent"
                + " again; Ferry moves it as soon as it can.";
        try {
            ReasonFiles.write(inbox.resolve(FailedDrops.FOLDER), shown, why);
        } catch (IOException w) {
            e.addSuppressed(w);
        }
        LOG.warn(why);
        return false;
    }

    private boolean answer(Path p, boolean folder, String look) {
        String shown = shown(p);
        FolderUploads uploads = folders;
        boolean backslash = shown.indexOf('\\') >= 0;
        boolean undecodable = !shown.equals(p.getFileName().toString());
        // A folder's name is its remote folder's: one with a backslash went to a/b on the server (a file's is refused).
        if (folder && uploads != null && !undecodable && !backslash) {
            return uploadFolder(p, shown, uploads, look);
        }
        String reason = requests ? requestReason(p, folder, backslash, undecodable) : Files.isSymbolicLink(p)
                ? (Files.isDirectory(p) ? "this is a symbolic link to a folder" : "this is a symbolic link whose target"
                + " is missing") + "; links are not followed from the inbox: drop the file or folder itself"
                : backslash
                ? "the name contains a backslash (\\), which the inbox reads as a folder separator; rename it without"
                + " one and drop it again"
                : undecodable
                ? "the name is not valid UTF-8 (shown here with %XX for each byte that is not); rename it to a UTF-8"
                + " name and drop it again"
                : "this is a folder; folders are not uploaded yet: drop the files themselves (the folder is kept here"
                + " as it was)";
        Move toFailed = () -> shown + " in the " + inboxName() + " not transferred: " + reason + "; moved to "
                + FailedDrops.FOLDER + "/" + shown(FailedDrops.fail(p, shown, reason));
        try {
            LOG.warn(toFailed.run());
            return true;
        } catch (IOException e) {
            return refusedMove(p, shown, look, "is not transferred: " + reason, e, toFailed);
        }
    }

    private static String requestReason(Path p, boolean folder, boolean backslash, boolean undecodable) {
        String what = Files.isSymbolicLink(p) ? (Files.isDirectory(p) ? "a symbolic link to a folder"
                : "a symbolic link to nothing") : folder ? "a folder" : null;
        if (what != null) {
            return "this is " + what + ", not a request file; a request is one JSON file of its own: drop that";
        }
        return backslash ? "the name contains a backslash (\\), which the inbox reads as a folder separator; rename"
                + " it without one and drop it again"
                : "the name is not valid UTF-8 (shown here with %XX for each byte that is not); rename it to a UTF-8"
                + " name and drop it again";
    }

    private boolean uploadFolder(Path p, String shown, FolderUploads uploads, String look) {
        String failure;
        boolean cancelled = false;
        try {
            failure = uploads.upload(p);
        } catch (IOException | RuntimeException e) {
            failure = "the folder could not be uploaded: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            cancelled = e instanceof FolderUploads.Cancelled;
        }
        // A cancel is someone's word, not the stop's doing: the folder is filed, not sent again at the next start.
        if (failure != null && !cancelled && stopping.getAsBoolean()) {
            LOG.info("folder {} stopped with the service; it stays in the inbox, and the next start sends what is"
                    + " missing", shown);
            return false;
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            if (failure == null) {
                LOG.info("folder {} uploaded, every file verified; it left the inbox before it could be moved to"
                        + " .done/", shown);
                return true;
            }
            return leftTheInbox(p, shown, failure);
        }
        if (failure == null) {
            Move toDone = () -> {
                Path done = DoneDrops.done(p);
                ReasonFiles.dropStale(inbox.resolve(FailedDrops.FOLDER), p.getFileName().toString());
                return "folder " + shown + " uploaded, every file verified; moved to " + inbox.relativize(done);
            };
            try {
                LOG.info(toDone.run());
                return true;
            } catch (IOException e) {
                return refusedMove(p, shown, look, "was uploaded, every file verified", e, toDone);
            }
        }
        // Its files named from the folder: the inbox path they failed under is gone once it is in .failed/.
        String reason = failure.replace(p.toAbsolutePath() + java.io.File.separator, p.getFileName() + "/");
        String first = failure.lines().findFirst().orElse("");
        Move toFailed = () -> "folder " + shown + " in the upload inbox not fully uploaded; moved to "
                + FailedDrops.FOLDER + "/" + shown(FailedDrops.fail(p, shown, reason)) + ": " + first;
        try {
            LOG.warn(toFailed.run());
            return true;
        } catch (IOException e) {
            return refusedMove(p, shown, look, "was not fully uploaded (" + first + ")", e, toFailed);
        }
    }

    /**
     * The folder was moved or renamed away while it uploaded: there is nothing to file, but the drop is answered all
     * the same, by its reason file alone in {@code .failed/}, since the server may hold a part of it under its name.
     */
    private boolean leftTheInbox(Path p, String shown, String failure) {
        String reason = "the folder left the upload inbox (moved or renamed) while it was uploaded, so it was not"
                + " filed here; the server may hold a part of it under its name; drop it again to send what is"
                + " missing:\n" + failure.replace(p.toAbsolutePath() + java.io.File.separator, p.getFileName() + "/");
        try {
            Path folder = inbox.resolve(FailedDrops.FOLDER);
            String free = FailedDrops.freeName(folder, p.getFileName().toString());
            Path written = ReasonFiles.write(folder, shown + free.substring(p.getFileName().toString().length()),
                    reason);
            LOG.warn("folder {} left the upload inbox while it was uploaded; reason in {}/{}", shown,
                    FailedDrops.FOLDER, written.getFileName());
            return true;
        } catch (IOException e) {
            LOG.warn("folder {} left the upload inbox while it was uploaded; its reason cannot be written: {}", shown,
                    e.toString());
            return false;
        }
    }

    /**
     * Drops the file consumer lists but never takes, which would otherwise wait in the inbox for ever, unanswered: a
     * symbolic link to a folder or to nothing (the consumer takes links to regular files only, and the route refuses
     * or follows those), and a name with a backslash (the consumer reads it as a folder separator and finds no file).
     */
    private static boolean unreadable(Path p, String name) {
        return name.indexOf('\\') >= 0 || (Files.isSymbolicLink(p) && !Files.isRegularFile(p));
    }

    /** The newest modification time in the drop, its number of entries and total size; null if it went away. */
    private static String look(Path p) {
        long[] newest = {0};
        long[] count = {0};
        long[] bytes = {0};
        try (Stream<Path> tree = Files.walk(p)) {
            tree.limit(100_000).forEach(f -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    newest[0] = Math.max(newest[0], a.lastModifiedTime().toMillis());
                    count[0]++;
                    bytes[0] += a.size();
                } catch (IOException e) {
                    count[0]--; // vanished while walking: the next look differs
                }
            });
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return newest[0] + "/" + count[0] + "/" + bytes[0];
    }

    private boolean settled(String look) {
        long newest = Long.parseLong(look.substring(0, look.indexOf('/')));
        return clock.millis() - newest >= settle.toMillis();
    }

    /**
     * The name as a person can read and type it. A name that is not UTF-8 is shown as its path's URI spells it,
     * which keeps the bytes the String form replaced: every byte outside ASCII as %XX ("caf%E9.txt").
     */
    static String shown(Path p) {
        String name = p.getFileName().toString();
        if (name.indexOf('\uFFFD') < 0) {
            return name;
        }
        String raw = p.toAbsolutePath().toUri().getRawPath();
        if (raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return raw.substring(raw.lastIndexOf('/') + 1);
    }
}
