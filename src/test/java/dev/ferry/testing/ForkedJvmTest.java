package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class ForkedJvmTest {

    private static final Duration START = Duration.ofSeconds(20);

    /** Prints what it was given, then "ready", then waits to be killed. */
    public static final class ReadyThenSleep {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("args=" + String.join(",", args));
            System.out.println("env=" + System.getenv("FERRY_FORK_TEST"));
            System.out.println("prop=" + System.getProperty("ferry.fork.test"));
            System.err.println("on stderr");
            System.out.println("ready");
            Thread.sleep(60_000);
            System.out.println("not killed");
        }
    }

    /** Prints a line and exits with code 3. */
    public static final class SayHelloAndExit {
        public static void main(String[] args) {
            System.out.println("hello");
            System.exit(3);
        }
    }

    @Test
    void startsAMainWithArgsEnvAndPropertiesThenKillsIt() throws IOException {
        try (ForkedJvm jvm = ForkedJvm.builder(ReadyThenSleep.class)
                .args("a", "b c")
                .env("FERRY_FORK_TEST", "from-env")
                .systemProperty("ferry.fork.test", "from-prop")
                .start()) {

            assertEquals("args=a,b c", jvm.awaitLine(l -> l.startsWith("args="), START));
            assertEquals("env=from-env", jvm.awaitLine(l -> l.startsWith("env="), START));
            assertEquals("prop=from-prop", jvm.awaitLine(l -> l.startsWith("prop="), START));
            jvm.awaitLine("on stderr"::equals, START);
            jvm.awaitLine("ready"::equals, START);
            assertTrue(jvm.isAlive());

            int code = jvm.kill9();

            assertNotEquals(0, code);
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertEquals(137, code, "SIGKILL");
            }
            assertFalse(jvm.isAlive());
            assertFalse(jvm.output().contains("not killed"));
            String log = Files.readString(jvm.logFile());
            assertTrue(log.contains("ready") && log.contains("[err] on stderr"), log);
        }
    }

    @Test
    void awaitLineFailsWithTheOutputAsSoonAsTheProcessExits() {
        try (ForkedJvm jvm = ForkedJvm.builder(SayHelloAndExit.class).start()) {
            long start = System.nanoTime();

            AssertionError failure = assertThrows(AssertionError.class,
                    () -> jvm.awaitLine("never"::equals, Duration.ofSeconds(30)));

            assertTrue(failure.getMessage().contains("hello"), failure.getMessage());
            assertTrue(failure.getMessage().contains("code 3"), failure.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15, "waited for the timeout");
            assertEquals(3, jvm.awaitExit(Duration.ofSeconds(10)));
        }
    }

    @Test
    void awaitLineReturnsEachLineOnceAndFailsOnTimeoutWhileTheProcessRuns() {
        try (ForkedJvm jvm = ForkedJvm.builder(ReadyThenSleep.class).start()) {
            jvm.awaitLine("ready"::equals, START);

            AssertionError failure = assertThrows(AssertionError.class,
                    () -> jvm.awaitLine("ready"::equals, Duration.ofMillis(200)));

            assertTrue(failure.getMessage().contains("ready"), failure.getMessage());
            assertThrows(AssertionError.class, () -> jvm.awaitExit(Duration.ofMillis(100)));
        }
    }
}
