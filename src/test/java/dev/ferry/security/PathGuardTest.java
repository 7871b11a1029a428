package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.PathGuard;
import dev.ferry.plan.UnsafePathException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Invariant 5, unit level: no remote name writes outside the target directory, no local name outside the base. */
class PathGuardTest {
    private static final Path TARGET = Path.of("/srv/ferry/in").toAbsolutePath();

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "..", "a/../../evil", "a/b/../../../evil", "..\\evil", "a\\..\\..\\evil",
            "/etc/passwd", "//evil", "\\evil", "C:\\evil", "c:evil", "a\u0000b", "evil\u0000/../x", "a\nb", "a\rb",
            "tab\there", "bell\u0007", "del\u007f", "esc\u001b[31m", "", " "})
    void unsafeLocalNamesAreRefused(String name) {
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> PathGuard.localInside(TARGET, name));
        assertFalse(e.getMessage().contains("\u0000") || e.getMessage().contains("\n"),
                "control characters are shown escaped: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "..", "a/../../evil", "..\\evil", "/etc/passwd", "C:\\evil", "a\u0000b",
            "a\nb", "del\u007f", ""})
    void unsafeRemoteNamesUnderABaseAreRefused(String name) {
        assertThrows(UnsafePathException.class, () -> PathGuard.remoteInside("/base/dir", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../evil", "../evil", "/a/../../evil", "/a/..", "/a/b\u0000c", "/a\r\nDELE x", "",
            "   "})
    void unsafeRemoteAbsolutePathsAreRefused(String path) {
        assertThrows(UnsafePathException.class, () -> PathGuard.remoteAbsolute(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.bin", "季度 报告.bin", "dir/sub/file.bin", "..a", "a..", "...", "a b", ".hidden"})
    void ordinaryNamesStayInside(String name) {
        Path p = PathGuard.localInside(TARGET, name);
        assertTrue(p.startsWith(TARGET) && !p.equals(TARGET), p.toString());
        String remote = PathGuard.remoteInside("/base", name);
        assertTrue(remote.startsWith("/base/"), remote);
        assertFalse(remote.contains("/../"), remote);
    }

    @org.junit.jupiter.api.Test
    void remoteAbsolutePathsAreNormalised() {
        assertEquals("/a/b.bin", PathGuard.remoteAbsolute("a//b.bin"));
        assertEquals("/a/b.bin", PathGuard.remoteAbsolute("/a/b.bin"));
        assertEquals("..", PathGuard.remoteName("/a/.."));
    }

    @org.junit.jupiter.api.Test
    void aRootLookedUpOnceRefusesNamesThroughLinksPlantedLaterAndTheRootTurnedIntoALink(
            @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path root = java.nio.file.Files.createDirectories(tmp.resolve("root/sub"));
        root = root.getParent();
        Path outside = java.nio.file.Files.createDirectories(tmp.resolve("outside"));
        PathGuard.Root guarded = PathGuard.root(root);
        assertEquals(root.resolve("sub/a.bin"), guarded.inside("sub/a.bin"));
        // A folder replaced by a link after the root was looked up, and a name that is itself a link.
        java.nio.file.Files.delete(root.resolve("sub"));
        java.nio.file.Files.createSymbolicLink(root.resolve("sub"), outside);
        assertThrows(UnsafePathException.class, () -> guarded.inside("sub/a.bin"));
        java.nio.file.Files.createSymbolicLink(root.resolve("b.bin"), outside.resolve("b.bin"));
        assertThrows(UnsafePathException.class, () -> guarded.inside("b.bin"));
        assertThrows(UnsafePathException.class, () -> guarded.inside("../outside/c.bin"));
        // The root itself turned into a link elsewhere: its names no longer lead into the real path looked up.
        java.nio.file.Files.move(root, tmp.resolve("moved"));
        java.nio.file.Files.createSymbolicLink(root, outside);
        assertThrows(UnsafePathException.class, () -> guarded.inside("c.bin"));
    }
}
