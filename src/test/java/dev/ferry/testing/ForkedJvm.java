package dev.ferry.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A main class run in a separate JVM on the test classpath, for what cannot happen inside the test JVM:
 * a process killed with SIGKILL in the middle of a transfer, then started again to resume.
 *
 * <pre>{@code
 * try (ForkedJvm jvm = ForkedJvm.builder(Ferry.class).arg("--data=" + dir).systemProperty("k", "v").start()) {
 *     jvm.awaitLine(line -> line.contains("checkpoint"), Duration.ofSeconds(20));
 *     jvm.kill9();
 * }
 * }</pre>
 *
 * Every stdout and stderr line goes to a log file (stderr lines marked "[err] ") and into memory, where
 * {@link #awaitLine} finds it.
 */
public final class ForkedJvm implements AutoCloseable {

    private static final int OUTPUT_IN_FAILURES = 200;

    private final String description;
    private final Process process;
    private final Path logFile;
    private final Writer log;
    private final List<String> output = new ArrayList<>();
    /** Indexes into {@link #output} of the lines {@link #awaitLine} has returned. */
    private final BitSet returned = new BitSet();
    private final CountDownLatch readersDone = new CountDownLatch(2);

    private ForkedJvm(String description, Process process, Path logFile, Writer log) {
        this.description = description;
        this.process = process;
        this.logFile = logFile;
        this.log = log;
    }

    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    public static Builder builder(String mainClassName) {
        return new Builder(mainClassName);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Every line captured so far, stdout and stderr interleaved as they arrived. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /**
     * Returns the first line, in arrival order, that matches and that no earlier call returned, so calling it
     * twice with the same predicate yields the first and then the second such line. Lines that do not match
     * stay available to later calls: stdout and stderr interleave unpredictably, so waiting for one line
     * must not swallow another. Fails with the captured output if no line comes within {@code timeout}, or
     * as soon as the process has exited without one.
     */
    public String awaitLine(Predicate<String> matches, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            synchronized (output) {
                while (true) {
                    for (int i = returned.nextClearBit(0); i < output.size(); i = returned.nextClearBit(i + 1)) {
                        if (matches.test(output.get(i))) {
                            returned.set(i);
                            return output.get(i);
                        }
                    }
                    if (!process.isAlive() && readersDone.getCount() == 0) {
                        throw failure("Exited with code " + process.exitValue() + " before a matching line");
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw failure("No matching line within " + timeout.toMillis() + " ms");
                    }
                    // Woken by each new line; the bounded wait notices the process exiting.
                    TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, Await.POLL.toNanos()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("Interrupted while waiting for a line");
        }
    }

    /**
     * Kills the JVM at once, with no shutdown hooks or finally blocks: {@link Process#destroyForcibly()}
     * sends SIGKILL on Linux, so the exit code is 137 (128 + 9). Returns the exit code.
     */
    public int kill9() {
        process.destroyForcibly();
        try {
            int code = process.waitFor();
            awaitReaders();
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("Interrupted while waiting for the killed process");
        }
    }

    /**
     * Asks the JVM to stop as a service manager does: SIGTERM, so shutdown hooks run and the exit code is 143
     * (128 + 15). Waits up to {@code timeout} and returns the exit code. Through the {@link ProcessHandle}:
     * {@link Process#destroy()} also closes our ends of the child's stdout and stderr, losing its last lines.
     */
    public int terminate(Duration timeout) {
        sigterm();
        return awaitExit(timeout);
    }

    /** SIGTERM as {@link #terminate} sends it, without waiting for the exit (then {@link #awaitExit}). */
    public void sigterm() {
        process.toHandle().destroy();
    }

    /** SIGSTOP (frozen, as a paused VM: its sockets, locks and files stay open) or SIGCONT (running again). */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the JVM to exit by itself and returns its exit code; fails with its output on timeout. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("Still running after " + timeout.toMillis() + " ms");
            }
            awaitReaders();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("Interrupted while waiting for the process to exit");
        }
    }

    /** Kills the JVM if it still runs, so a failing test never leaves a process behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
        awaitReaders();
        try {
            synchronized (log) {
                log.close();
            }
        } catch (IOException e) {
            // The log is a diagnostic aid; losing its tail must not fail the test.
        }
    }

    private void awaitReaders() {
        try {
            // The pipes close when the process dies; the readers then drain what is left and stop.
            readersDone.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private AssertionError failure(String what) {
        List<String> lines = output();
        List<String> tail = lines.subList(Math.max(0, lines.size() - OUTPUT_IN_FAILURES), lines.size());
        return new AssertionError(what + ": " + description + " (log " + logFile + ")\n--- output ("
                + lines.size() + " lines, last " + tail.size() + ") ---\n" + String.join("\n", tail));
    }

    private void capture(InputStream stream, String logPrefix) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
                synchronized (log) {
                    log.write(logPrefix + line + "\n");
                    log.flush();
                }
            }
        } catch (IOException e) {
            // The process died or the log closed; what was captured stays available.
        } finally {
            readersDone.countDown();
        }
    }

    public static final class Builder {
        private final String mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private Path logFile;

        private Builder(String mainClass) {
            this.mainClass = mainClass;
        }

        public Builder arg(String arg) {
            args.add(arg);
            return this;
        }

        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** A JVM option such as "-Xmx256m". */
        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /** An environment variable, added to the test JVM's environment. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** A -Dname=value system property. */
        public Builder systemProperty(String name, String value) {
            systemProperties.put(name, value);
            return this;
        }

        /** Where to write the output; default a new temporary file (named in failure messages). */
        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        public ForkedJvm start() {
            try {
                Path logPath = logFile != null ? logFile : Files.createTempFile("ferry-forked-", ".log");
                Path parent = logPath.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                List<String> command = command();
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.environment().putAll(env);
                Writer log = Files.newBufferedWriter(logPath, StandardCharsets.UTF_8);
                log.write("# " + String.join(" ", command) + "\n");
                Process process = builder.start();
                ForkedJvm jvm = new ForkedJvm(mainClass + " " + args + " pid " + process.pid(), process, logPath, log);
                // Closing stdin means a child that reads it sees end of input instead of hanging.
                process.getOutputStream().close();
                reader("forked-jvm-out-" + process.pid(), () -> jvm.capture(process.getInputStream(), "")).start();
                reader("forked-jvm-err-" + process.pid(),
                        () -> jvm.capture(process.getErrorStream(), "[err] ")).start();
                return jvm;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start a JVM for " + mainClass, e);
            }
        }

        private List<String> command() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // Forked JVMs live seconds and are killed before the optimising compiler pays back: with C1 only, a
            // forked service took 3.8 s of CPU to "Ferry is running." instead of 6.6 s (and half the wall time on a
            // busy machine). Their bytes are throttled by the server, not by compiled code. A caller's own
            // -XX:TieredStopAtLevel comes later on the command line and wins.
            command.add("-XX:TieredStopAtLevel=1");
            command.addAll(jvmArgs);
            systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass);
            command.addAll(args);
            return command;
        }

        private static Thread reader(String name, Runnable body) {
            Thread thread = new Thread(body, name);
            thread.setDaemon(true);
            return thread;
        }
    }
}
