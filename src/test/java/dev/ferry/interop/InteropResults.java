package dev.ferry.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * Writes one machine-readable line per (server, feature) to {@code target/interop-results.txt} as each interop test
 * ends, and, when the whole test run ends, turns the file into {@code target/interop-table.md} (see
 * {@link InteropTable}); {@code .ci/interop-table.sh} copies that to docs/INTEROP.md.
 *
 * <p>Line format, tab separated: {@code order  feature  server  PASS|FAIL|SKIP  note}. The server is the test's
 * display name (a parameterized test names itself after its {@link InteropServer.Kind}); a non-parameterized test
 * names its server with {@link Server}. A test adds a remark to its cell with {@link #note}.
 */
final class InteropResults implements TestWatcher, BeforeEachCallback {
    /** The build directory (surefire passes ferry.test.jar, inside it), so -Dbuild.dir=target-x builds keep apart. */
    private static final Path BUILD = System.getProperty("ferry.test.jar") == null ? Path.of("target")
            : Path.of(System.getProperty("ferry.test.jar")).toAbsolutePath().getParent();
    static final Path RESULTS = BUILD.resolve("interop-results.txt");
    static final Path TABLE = BUILD.resolve("interop-table.md");

    private static final ThreadLocal<String> NOTE = new ThreadLocal<>();

    /** Names the server column of a test that is not parameterized by {@link InteropServer.Kind}. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
    @interface Server {
        InteropServer.Kind value();
    }

    /** A remark for the current test's cell, e.g. the upload strategy the probe chose. */
    static void note(String text) {
        NOTE.set(text);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        NOTE.remove();
        // First interop test of this run: start a fresh results file, and write the table when the run ends.
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(InteropResults.class,
                k -> {
                    try {
                        Files.createDirectories(RESULTS.toAbsolutePath().getParent());
                        Files.deleteIfExists(RESULTS);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return (ExtensionContext.Store.CloseableResource) () -> InteropTable.write(RESULTS, TABLE);
                }, ExtensionContext.Store.CloseableResource.class);
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS", NOTE.get());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "FAIL", firstLine(cause));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "SKIP", cause instanceof TestAbortedException ? firstLine(cause) : "aborted: " + firstLine(cause));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, "SKIP", reason.orElse("disabled"));
    }

    private static void record(ExtensionContext context, String status, String note) {
        Optional<Feature> feature = context.getTestMethod().map(m -> m.getAnnotation(Feature.class));
        if (feature.isEmpty()) {
            return;
        }
        String server = context.getTestMethod().map(m -> m.getAnnotation(Server.class))
                .map(s -> s.value().label).orElse(context.getDisplayName());
        String line = feature.get().order() + "\t" + feature.get().value() + "\t" + server + "\t" + status + "\t"
                + clean(note) + "\n";
        try {
            synchronized (InteropResults.class) {
                Files.writeString(RESULTS, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    private static String clean(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("[\\t\\r\\n|]+", " ").strip();
        return one.length() > 200 ? one.substring(0, 197) + "..." : one;
    }
}
