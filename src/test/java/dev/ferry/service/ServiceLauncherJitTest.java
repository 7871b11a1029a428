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
