package dev.ferry.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep on a clock the test moves: a folder is answered once it has settled, never while it still changes. */
class OddDropsTest {
    @TempDir
    Path inbox;

    @Test
    void aFolderIsAnsweredOnlyOnceItHasStoppedChanging() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Path proj = Files.createDirectories(inbox.resolve("proj"));
        Path a = Files.writeString(proj.resolve("a.txt"), "a");
        Files.setLastModifiedTime(a, FileTime.from(t0));
        Files.setLastModifiedTime(proj, FileTime.from(t0));
        Files.writeString(inbox.resolve("plain.txt"), "the file consumer's");

        OddDrops young = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusMillis(500), ZoneOffset.UTC));
        assertEquals(0, young.sweep(), "first look");
        assertEquals(0, young.sweep(), "unchanged, but younger than 2 s");

        OddDrops old = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC));
        assertEquals(0, old.sweep(), "first look");
        Path b = Files.writeString(proj.resolve("b.txt"), "b"); // still being filled
        Files.setLastModifiedTime(b, FileTime.from(t0));
        Files.setLastModifiedTime(proj, FileTime.from(t0));
        assertEquals(0, old.sweep(), "it changed since the last look");
        assertEquals(1, old.sweep());

        assertTrue(Files.isRegularFile(inbox.resolve(".failed/proj/b.txt")));
        String reason = Files.readString(inbox.resolve(".failed/proj.error.txt"));
        assertTrue(reason.contains("folders are not uploaded yet"), reason);
        assertTrue(Files.exists(inbox.resolve("plain.txt")), "a plain file is left to the file consumer");
    }

    /**
     * A folder that was uploaded but whose earlier copy in .done/ cannot be set aside (here: its name with the time
     * added is too long for the file system) stays in the inbox with a warning, and the same sweep goes on to the
     * other folders: the failure escaped and ended every sweep as "cannot list the upload inbox".
     */
    @Test
    void aFolderThatCannotGoToDoneStaysAndTheSweepGoesOnToTheOthers() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String longName = "x".repeat(240);
        Path stuck = settledFolder(longName, t0);
        Path earlier = Files.createDirectories(inbox.resolve(".done").resolve(longName));
        Files.writeString(earlier.resolve("a.txt"), "the earlier drop");
        for (int i = 0; i < 5; i++) {
            settledFolder("ok-" + i, t0);
        }
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .uploadingFolders(folder -> null);

        assertEquals(0, sweeps.sweep(), "first look");
        assertEquals(5, sweeps.sweep(), "every folder that could go to .done/ went, in the same sweep");

        for (int i = 0; i < 5; i++) {
            assertTrue(Files.isRegularFile(inbox.resolve(".done/ok-" + i + "/a.txt")), "ok-" + i);
        }
        assertTrue(Files.isRegularFile(stuck.resolve("a.txt")), "the folder that could not move stays in the inbox");
        assertEquals("the earlier drop", Files.readString(earlier.resolve("a.txt")));
    }

    /**
     * A hostile review: a folder the service could upload but not move (another user's folder, mode 755: moving a
     * folder into another needs write permission on the folder itself) was uploaded again every two seconds, for ever,
     * each round a new login and listing and a WARN that said neither why nor what to do, and never answered. It is
     * answered once now (a reason file saying what to do, one WARN), not uploaded again, and moved once it can be.
     */
    @Test
    void aFolderThatCannotBeMovedIsUploadedOnceAnsweredOnceAndMovedWhenItCan() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        settledFolder("theirs", t0);
        // What refuses the move here, where the tests run as root: .done is a file, so nothing can go into it.
        Path blocker = Files.writeString(inbox.resolve(".done"), "not a folder");
        int[] uploads = {0};
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .uploadingFolders(folder -> {
                    uploads[0]++;
                    return null;
                });
        for (int i = 0; i < 6; i++) {
            sweeps.sweep();
        }
        assertEquals(1, uploads[0], "uploaded again while it could not be moved");
        assertTrue(Files.isRegularFile(inbox.resolve("theirs/a.txt")), "still in the inbox");
        String reason = Files.readString(inbox.resolve(".failed/theirs.error.txt"));
        assertTrue(reason.contains("every file verified") && reason.contains("cannot be moved")
                && reason.contains("write permission"), reason);

        Files.delete(blocker);
        assertEquals(1, sweeps.sweep(), "moved once it could be");
        assertTrue(Files.isRegularFile(inbox.resolve(".done/theirs/a.txt")));
        assertFalse(Files.exists(inbox.resolve(".failed/theirs.error.txt")), "its reason is no longer true");
        assertEquals(1, uploads[0]);
    }

    /**
     * A folder whose upload the service's stop ended (its files stopped, the ledger closed under them) went to .failed/
     * as if its files had failed, and stayed there after the restart. It stays in the inbox now, for the next start;
     * the same failure while the service runs still goes to .failed/ with its reason.
     */
    @Test
    void aFolderStoppedWithTheServiceStaysInTheInbox() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Path folder = settledFolder("pics", t0);
        boolean[] stopping = {true};
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .uploadingFolders(f -> "failed p1.bin: ledger: HikariDataSource (ferry-ledger) has been closed")
                .stoppingWhen(() -> stopping[0]);
        assertEquals(0, sweeps.sweep(), "first look");
        assertEquals(0, sweeps.sweep(), "stopping: not answered");
        assertTrue(Files.isRegularFile(folder.resolve("a.txt")), "still in the inbox");
        assertFalse(Files.exists(inbox.resolve(".failed/pics")));

        stopping[0] = false;
        sweeps.sweep();
        assertEquals(1, sweeps.sweep());
        assertTrue(Files.isRegularFile(inbox.resolve(".failed/pics/a.txt")), "a real failure: .failed/");
        assertTrue(Files.readString(inbox.resolve(".failed/pics.error.txt")).contains("has been closed"));
    }

    /**
     * A failed folder's reason named its files where they were when they failed ("…/inbox/upload/d1/a.txt: …"), a
     * path that no longer exists once the folder is in .failed/. The reason file, beside the folder there, names
     * them from the folder ("d1/a.txt").
     */
    @Test
    void aFailedFoldersReasonNamesItsFilesFromTheFolderNotTheInbox() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Path folder = settledFolder("d1", t0);
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .uploadingFolders(f -> "failed a.txt: the local file " + f.resolve("a.txt") + " changed while it was"
                        + " sent");
        sweeps.sweep();
        assertEquals(1, sweeps.sweep());
        String reason = Files.readString(inbox.resolve(".failed/d1.error.txt"));
        assertFalse(reason.contains(folder.toString()), reason);
        assertTrue(reason.contains("the local file d1/a.txt changed"), reason);
    }

    /**
     * Drops the file consumer lists but never takes waited in the inbox for ever, with no log line: a symbolic link to
     * a folder, one to nothing, a name with a backslash. Each goes to .failed/ with a reason once settled; a link to
     * a regular file stays for the consumer (the route refuses or follows it).
     */
    @Test
    void linksToFoldersOrToNothingAndBackslashNamesAreAnswered() throws Exception {
        Path elsewhere = Files.createDirectories(inbox.resolveSibling(inbox.getFileName() + "-elsewhere"));
        Path file = Files.writeString(elsewhere.resolve("real.txt"), "real");
        Files.createSymbolicLink(inbox.resolve("to-folder"), elsewhere);
        Files.createSymbolicLink(inbox.resolve("dangling"), elsewhere.resolve("missing.txt"));
        Files.createSymbolicLink(inbox.resolve("to-file"), file);
        Files.writeString(inbox.resolve("back\\slash.bin"), "b");
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2),
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(10)));

        assertEquals(0, sweeps.sweep(), "first look");
        assertEquals(3, sweeps.sweep());

        assertTrue(Files.isSymbolicLink(inbox.resolve(".failed/to-folder")), "the link itself moved, not its folder");
        assertTrue(Files.readString(inbox.resolve(".failed/to-folder.error.txt")).contains("symbolic link to a folder"));
        assertTrue(Files.isSymbolicLink(inbox.resolve(".failed/dangling")));
        assertTrue(Files.readString(inbox.resolve(".failed/dangling.error.txt")).contains("target is missing"));
        assertEquals("b", Files.readString(inbox.resolve(".failed/back\\slash.bin")));
        String reason = Files.readString(inbox.resolve(".failed/back\\slash.bin.error.txt"));
        assertTrue(reason.contains("backslash"), reason);
        assertTrue(Files.isSymbolicLink(inbox.resolve("to-file")), "a link to a file is the file consumer's");
        assertEquals("real", Files.readString(file), "nothing done to a link's target");
    }

    private Path settledFolder(String name, Instant at) throws Exception {
        Path folder = Files.createDirectories(inbox.resolve(name));
        Files.setLastModifiedTime(Files.writeString(folder.resolve("a.txt"), name), FileTime.from(at));
        Files.setLastModifiedTime(folder, FileTime.from(at));
        return folder;
    }

    /**
     * A drop whose reason cannot be written (here a folder is in the way; a full disk in life) stays where it was
     * dropped, for the next try: it was moved first, and sat in .failed/ with no reason while the log said it could
     * not be moved there.
     */
    @Test
    void aDropWhoseReasonCannotBeWrittenStaysWhereItWas() throws Exception {
        Path drop = Files.writeString(inbox.resolve("a.bin"), "a");
        Files.createDirectories(inbox.resolve(".failed").resolve(ReasonFiles.nameFor("a.bin")).resolve("in-the-way"));

        assertThrows(IOException.class, () -> FailedDrops.fail(drop, "a.bin", "why"));

        assertTrue(Files.isRegularFile(drop), "the drop left the inbox");
        assertFalse(Files.exists(inbox.resolve(".failed/a.bin")), "the drop is in .failed/ without its reason");
    }

    @Test
    void aReasonFileNameAlwaysFitsAndSaysWhenItIsShortened() {
        assertEquals("a.bin.error.txt", ReasonFiles.nameFor("a.bin"));
        String longName = "\u00e9".repeat(126) + ".txt"; // 256 bytes in UTF-8
        String name = ReasonFiles.nameFor(longName);
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255, name);
        assertTrue(name.startsWith("\u00e9\u00e9\u00e9") && name.endsWith(".error.txt"), name);
        assertTrue(ReasonFiles.text(longName, "why").contains("shortened"));
        assertTrue(!ReasonFiles.text("a.bin", "why").contains("shortened"));
    }

    /**
     * A hostile review: a folder drop renamed while it uploaded left a part of it on the server and nothing in the
     * inbox to say so (its move to .failed/ found no folder, and the log said only that it could not be moved).
     */
    @Test
    void aFolderRenamedWhileItUploadsIsAnsweredByItsReasonFile() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Path folder = settledFolder("pics", t0);
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .uploadingFolders(f -> {
                    Files.move(f, inbox.resolve(".pics-renamed"));
                    return "2 of 3 files not uploaded:\n" + f.toAbsolutePath() + "/b.txt: the local file is gone";
                });
        assertEquals(0, sweeps.sweep(), "first look");
        assertEquals(1, sweeps.sweep(), "answered");

        assertFalse(Files.exists(folder));
        String reason = Files.readString(inbox.resolve(".failed/pics.error.txt"));
        assertTrue(reason.contains("left the upload inbox (moved or renamed) while it was uploaded"), reason);
        assertTrue(reason.contains("drop it again to send what is missing"), reason);
        assertTrue(reason.contains("pics/b.txt: the local file is gone"), reason);
        assertFalse(reason.contains(inbox.toString()), "named from the folder: " + reason);
    }

    /**
     * A hostile review: a folder named a\\b was uploaded to a/b on the server (a file of that name is refused), where
     * it could merge into a real drop named a. It is refused as the file is; a folder is uploaded otherwise.
     */
    @Test
    void aFolderWithABackslashInItsNameIsRefusedNotUploadedToANestedPath() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        settledFolder("a\\b", t0);
        settledFolder("plain", t0);
        java.util.List<String> uploaded = new java.util.ArrayList<>();
        OddDrops sweeps = new OddDrops(inbox, Duration.ofSeconds(2), Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC))
                .uploadingFolders(f -> {
                    uploaded.add(f.getFileName().toString());
                    return null;
                });
        assertEquals(0, sweeps.sweep(), "first look");
        assertEquals(2, sweeps.sweep());
        assertEquals(java.util.List.of("plain"), uploaded);
        String reason = Files.readString(inbox.resolve(".failed/a\\b.error.txt"));
        assertTrue(reason.contains("backslash"), reason);
        assertTrue(Files.isRegularFile(inbox.resolve(".failed/a\\b/a.txt")));
    }
}
