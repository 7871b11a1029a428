package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ferry starts the service with shallower C2 inlining (a warm service spent half its CPU compiling), keeps them
 * away from get/put (which have their own JIT settings) and lets JAVA_OPTS, given after them, override them. The
 * "java" here is a script that prints the arguments it was given, so no JVM starts.
 */
class ServiceLauncherJitTest {
    private static final List<String> SERVICE_JIT =
            List.of("-XX:MaxInlineLevel=6", "-XX:FreqInlineSize=100", "-XX:InlineSmallCode=1000");
    private static final List<String> CLI_JIT = List.of("-XX:Tier4InvocationThreshold=100000",
            "-XX:Tier4MinInvocationThreshold=100000", "-XX:Tier4CompileThreshold=100000",
            "-XX:Tier4BackEdgeThreshold=2000000");

    @TempDir
    Path dir;

    @Test
    void theServiceGetsShallowInliningAndJavaOptsWin() throws Exception {
        List<String> service = launch("", List.of());
        assertTrue(service.containsAll(SERVICE_JIT), service.toString());
        List<String> withKey = launch("", List.of("--ferry.inbox.poll-millis=250"));
        assertTrue(withKey.containsAll(SERVICE_JIT), withKey.toString());

        List<String> overridden = launch("-XX:MaxInlineLevel=15", List.of());
        assertTrue(overridden.indexOf("-XX:MaxInlineLevel=15") > overridden.indexOf("-XX:MaxInlineLevel=6"),
                overridden.toString());

        List<String> get = launch("", List.of("get", "ftp://h/a", "a"));
        assertFalse(get.stream().anyMatch(SERVICE_JIT::contains), get.toString());
    }

    /**
     * Regression guard: a folder runs the same per-file path thousands of times, like the service, yet its whole
     * process took the least CPU with the one-file flags (C2 only for what stays hot); the service's inlining, or the
     * JVM's defaults, cost 1.1-1.9x as much CPU for 1,000-3,000 files (bench/results/tree-big.notes.md, "tree-jit").
     */
    @Test
    void aFolderKeepsTheCommandLineJit() throws Exception {
        for (List<String> args : List.of(List.of("get", "-r", "ftp://h/d/", "d"),
                List.of("put", "-q", "d", "ftp://h/d/", "--recursive"), List.of("get", "-qr", "ftp://h/d/", "d"))) {
            List<String> seen = launch("", args);
            assertTrue(seen.containsAll(CLI_JIT), seen.toString());
            assertFalse(seen.stream().anyMatch(SERVICE_JIT::contains), seen.toString());
        }
        List<String> one = launch("", List.of("get", "ftp://h/a", "a"));
        assertTrue(one.containsAll(CLI_JIT), one.toString());
    }

    private List<String> launch(String javaOpts, List<String> args) throws IOException, InterruptedException {
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Path jar = dir.resolve("ferry.jar");
        Files.write(jar, new byte[0]);
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(Path.of("bin/ferry").toAbsolutePath().toString());
        pb.command().addAll(args);
        pb.environment().put("JAVA", java.toString());
        pb.environment().put("FERRY_JAR", jar.toString());
        pb.environment().put("FERRY_CDS", "off");
        pb.environment().put("JAVA_OPTS", javaOpts);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }
}
