package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may call the API: the token, the loopback guard, the same-origin rule, and no secret in any answer. */
class AccessTest {
    private static final String TOKEN = "c0rrect-horse-battery-staple";

    @TempDir
    Path tmp;
    WebFixture w;

    @AfterEach
    void stop() {
        if (w != null) {
            w.close();
        }
    }

    @Test
    void aConfiguredTokenIsRequiredForTheApiAndObservePathsButNotForThePageFiles() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s.withToken(TOKEN));
        List<String> guarded = List.of("/api/transfers", "/api/transfers/d-0000000000000000", "/observe/health",
                "/observe/health/live", "/observe/health/ready", "/observe/metrics", "/observe/info");
        w.token = null;
        for (String path : guarded) {
            HttpResponse<String> r = w.get(path);
            assertEquals(401, r.statusCode(), path);
            assertEquals("Bearer realm=\"ferry\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
        }
        assertEquals(401, w.post("/api/transfers/d-0000000000000000/cancel", null).statusCode());
        assertEquals(401, w.post("/api/transfers", "{}").statusCode());
        for (String page : List.of("/", "/ferry.js", "/ferry.css")) {
            assertEquals(200, w.get(page).statusCode(), page);
        }
        w.token = "wrong-" + TOKEN;
        assertEquals(401, w.get("/api/transfers").statusCode());
        w.token = TOKEN;
        HttpResponse<String> ok = w.get("/api/transfers");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(404, w.get("/api/transfers/d-0000000000000000").statusCode());
        Await.until(Duration.ofSeconds(10), () -> status("/observe/health") == 200, () -> "health never came up");
        // Nothing the request brought comes back: not the Authorization header, not the token anywhere.
        ok.headers().map().forEach((name, values) -> {
            assertFalse(name.equalsIgnoreCase("Authorization"), "echoed " + name);
            values.forEach(v -> assertFalse(v.contains(TOKEN), name + ": " + v));
        });
    }

    private int status(String path) {
        try {
            return w.get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void noSecretInAnyAnswer() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().user("ferry", "pa55-w0rd-xyz").start(), s -> s);
        w.ftp.write("s.bin", 1000, 1);
        HttpResponse<String> r = w.post("/api/transfers", "{\"direction\":\"DOWNLOAD\",\"server\":\"test\","
                + "\"remotePath\":\"/s.bin\",\"localPath\":\"" + tmp.resolve("s.bin") + "\"}");
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("id").asText();
        Await.until(Duration.ofSeconds(20), () -> body("/api/transfers/" + id).contains("\"done\""),
                () -> body("/api/transfers/" + id));
        Await.until(Duration.ofSeconds(10), () -> status("/observe/health") == 200, () -> body("/observe/health"));
        for (String path : List.of("/api/transfers", "/api/transfers/" + id, "/observe/health", "/observe/metrics")) {
            assertFalse(body(path).contains("pa55-w0rd-xyz"), path + " shows the server's password");
        }
        assertFalse(r.body().contains("pa55-w0rd-xyz"));
    }

    private String body(String path) {
        try {
            return w.get(path).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void onLoopbackOnlyLoopbackNamesAreAnsweredAndBrowsersMustPostFromThePage() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s);
        int port = Integer.parseInt(w.base.substring(w.base.lastIndexOf(':') + 1));
        assertTrue(raw(port, "GET /api/transfers HTTP/1.1\r\nHost: localhost:" + port + "\r\n").startsWith(
                "HTTP/1.1 200"));
        // A DNS-rebinding page reaches 127.0.0.1 under its own name.
        assertTrue(raw(port, "GET /api/transfers HTTP/1.1\r\nHost: evil.example:" + port + "\r\n").startsWith(
                "HTTP/1.1 421"));
        // A character a URI refuses, in the path: the host is still the one addressed, the id just unknown.
        String odd = raw(port, "GET /api/transfers/d-<x> HTTP/1.1\r\nHost: localhost:" + port + "\r\n");
        assertTrue(odd.startsWith("HTTP/1.1 404"), odd);
        assertTrue(raw(port, "GET /api/transfers/d-<x> HTTP/1.1\r\nHost: evil.example:" + port + "\r\n")
                .startsWith("HTTP/1.1 421"));
        HttpResponse<String> crossSite = w.send(w.request("/api/transfers/d-0000000000000000/cancel")
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(403, crossSite.statusCode());
        HttpResponse<String> sameSite = w.send(w.request("/api/transfers/d-0000000000000000/cancel")
                .header("Origin", w.base).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(404, sameSite.statusCode(), sameSite.body());
        HttpResponse<String> page = w.get("/");
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'none'"));
        assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no external resource");
    }

    /**
     * A hostile review: the Host guard took any name starting with "127." for loopback, so a page served as
     * http://127.0.0.1.rebind.example:PORT/ — its name then made to resolve to 127.0.0.1 — read the transfers and
     * posted a download (its Origin is its own Host, so the same-origin check passed too). Only 127.x.y.z literals,
     * [::1] and localhost are loopback names.
     */
    @Test
    void aNameThatMerelyStartsWithALoopbackAddressIsNotLoopback() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s);
        int port = Integer.parseInt(w.base.substring(w.base.lastIndexOf(':') + 1));
        for (String name : List.of("127.0.0.1.rebind.example", "127.rebind.example", "127.0.0.1.",
                "localhost.rebind.example")) {
            String list = raw(port, "GET /api/transfers HTTP/1.1\r\nHost: " + name + ":" + port + "\r\n");
            assertTrue(list.startsWith("HTTP/1.1 421"), name + ": " + list);
            String origin = "http://" + name + ":" + port;
            String post = raw(port, "POST /api/transfers HTTP/1.1\r\nHost: " + name + ":" + port + "\r\nOrigin: "
                    + origin + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n", "{}");
            assertTrue(post.startsWith("HTTP/1.1 421"), name + ": " + post);
        }
        for (String name : List.of("127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]")) {
            String list = raw(port, "GET /api/transfers HTTP/1.1\r\nHost: " + name + ":" + port + "\r\n");
            assertTrue(list.startsWith("HTTP/1.1 200"), name + ": " + list);
        }
    }

    private static String raw(int port, String head) throws Exception {
        return raw(port, head, "");
    }

    private static String raw(int port, String head, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((head + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
