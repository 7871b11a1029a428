package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ferry's first run with a jar (no class-data archive yet) runs the JVM as its child, to keep the archive only
 * when the run went through. A SIGTERM sent to the launcher ({@code kill}, {@code docker stop}, a process manager
 * that signals the main process) was held until the JVM ended, which it never did: the service kept running. The
 * signal now goes on to the JVM, which keeps the launcher's stdin. The "java" here is a script that says when it
 * starts, what its stdin is, and when it is stopped.
 */
class LauncherStopTest {
    @TempDir
    Path dir;

    @Test
    void aSigtermToTheLauncherOnItsFirstRunStopsTheJvm() throws Exception {
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\ntrap 'echo stopped-by-TERM; exit 143' TERM\n"
                + "echo \"stdin $(readlink /proc/self/fd/0)\"\necho started\nwhile :; do sleep 0.1; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Path jar = dir.resolve("ferry.jar");
        Files.write(jar, new byte[0]);
        ProcessBuilder pb = new ProcessBuilder(Path.of("bin/ferry").toAbsolutePath().toString());
        pb.environment().put("JAVA", java.toString());
        pb.environment().put("FERRY_JAR", jar.toString());
        pb.environment().put("FERRY_CDS_DIR", dir.resolve("cds").toString()); // empty: the first run
        pb.environment().remove("FERRY_CDS");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!lines.contains("started") && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(lines.contains("started"), "the JVM never started: " + lines);
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the launcher and its JVM outlived SIGTERM by 20 s: " + lines);
            reader.join(5000);
            assertTrue(lines.contains("stopped-by-TERM"), "the JVM was not sent SIGTERM: " + lines);
            assertEquals(143, p.exitValue(), lines.toString());
            // The launcher's own stdin (a pipe here), not the /dev/null a job started with & gets.
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("stdin pipe:")), lines.toString());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
