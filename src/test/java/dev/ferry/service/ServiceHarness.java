package dev.ferry.service;

import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A config folder for the real service in a temporary directory: the project's own route files, every folder under
 * the temporary directory, server profile "fixture" on the given FTP server fixture.
 */
final class ServiceHarness {
    static final Path ROUTES = Path.of("routes").toAbsolutePath();

    final Path dir;
    final Path config;
    final Path data;
    final Map<String, String> properties = new LinkedHashMap<>();
    final Map<String, String> secrets = new LinkedHashMap<>();

    ServiceHarness(Path dir, FtpServerFixture ftp) {
        this(dir, ftp.host(), ftp.port(), ftp.user(), ftp.password());
    }

    /** The same on any FTP server (vsftpd and the other external servers). */
    ServiceHarness(Path dir, String host, int port, String user, String password) {
        this.dir = dir;
        this.config = dir.resolve("config");
        this.data = dir.resolve("data");
        properties.put("camel.main.routes-include-pattern", "file:" + ROUTES + "/*.yaml");
        properties.put("camel.main.shutdown-timeout", "5");
        properties.put("ferry.data-dir", data.toString());
        properties.put("ferry.inbox.read-lock-min-age", "1000");
        properties.put("ferry.servers.fixture.host", host);
        properties.put("ferry.servers.fixture.port", String.valueOf(port));
        properties.put("ferry.servers.fixture.user", user);
        properties.put("ferry.servers.fixture.connection-limit", "4");
        properties.put("ferry.servers.fixture.remote-dir", "/incoming");
        properties.put("ferry.default-server", "fixture");
        // The status page and API on a port the system picks, so parallel test JVMs never collide.
        properties.put("ferry.http.port", "0");
        secrets.put("ferry.servers.fixture.password", password);
    }

    Path uploadInbox() {
        return data.resolve("inbox/upload");
    }

    Path requestInbox() {
        return data.resolve("inbox/requests");
    }

    Path downloads() {
        return data.resolve("downloads");
    }

    /** Writes config/application.properties and config/secrets.properties. */
    ServiceHarness writeConfig() {
        try {
            Files.createDirectories(config);
            Files.writeString(config.resolve("application.properties"), lines(properties), StandardCharsets.UTF_8);
            Files.writeString(config.resolve("secrets.properties"), lines(secrets), StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FerryService start() throws Exception {
        writeConfig();
        return FerryService.start(FerrySettings.load(config, Map.of()), System.out);
    }

    private static String lines(Map<String, String> map) {
        StringBuilder b = new StringBuilder();
        map.forEach((k, v) -> b.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        return b.toString();
    }

    /** The service in a JVM of its own (for SIGKILL), with the fixture's password from the environment. */
    ForkedJvm fork(FtpServerFixture ftp, String name) {
        return ForkedJvm.builder(dev.ferry.Ferry.class)
                .systemProperty("ferry.config", config.toString())
                .env("FERRY_SERVERS_FIXTURE_PASSWORD", ftp.password())
                .jvmArg("-Xmx256m")
                .logFile(dir.resolve(name + ".log"))
                .start();
    }

    /** Moves a file written elsewhere into a folder in one rename, as a careful writer does. */
    static Path dropInto(Path inbox, Path file) {
        try {
            Files.createDirectories(inbox);
            return Files.move(file, inbox.resolve(file.getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeJson(Path inbox, String name, String json) {
        try {
            Files.createDirectories(inbox);
            Path staged = inbox.resolveSibling("." + name + ".tmp");
            Files.writeString(staged, json, StandardCharsets.UTF_8);
            return Files.move(staged, inbox.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String list(Path dir) {
        if (!Files.exists(dir)) {
            return dir + " (missing)";
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList().toString();
        } catch (IOException e) {
            return dir + " (" + e + ")";
        }
    }
}
