package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection to the status page and API left idle, half-way through its request or before it, is closed after
 * ferry.http.idle-timeout, and the API goes on answering. Before, a review held 3,000 half-sent requests open as long
 * as it liked, one file descriptor each.
 */
class IdleConnectionsTest {
    /** Much longer than any close here takes: a connection nobody closes is still open after it. */
    private static final int READ_MILLIS = 120_000;

    @TempDir
    Path tmp;
    WebFixture w;
    final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (w != null) {
            w.close();
        }
    }

    @Test
    void aRequestLeftHalfSentIsClosedOnceItHasBeenIdle() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s.withIdleTimeout(Duration.ofSeconds(1)));
        Socket half = open();
        half.getOutputStream().write("GET /api/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        Socket silent = open();
        assertEquals(-1, readToEnd(half), "the half-sent request's connection is closed");
        assertEquals(-1, readToEnd(silent), "the connection that sent nothing is closed");
        assertEquals(200, w.get("/api/transfers").statusCode());
    }

    /**
     * A hostile review: a body sent one byte every few seconds is never idle, so its connection stayed open for as long
     * as the sender liked (the token is checked only once the body is whole). A request must arrive whole within the
     * idle timeout; the trickle here goes on until the server closes the connection.
     */
    @Test
    void aBodyThatTricklesInIsRefusedOnceItHasTakenTheIdleTimeout() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s.withIdleTimeout(Duration.ofSeconds(2)));
        Socket slow = open();
        java.io.OutputStream out = slow.getOutputStream();
        out.write(("POST /api/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread trickle = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(500); // well within the idle timeout: never idle
                    out.write(' ');
                    out.flush();
                }
            } catch (IOException | InterruptedException closed) {
                // the server closed it (or the test ended)
            }
        }, "trickle");
        trickle.setDaemon(true);
        trickle.start();
        String answer = readAll(slow);
        assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
        assertEquals(200, w.get("/api/transfers").statusCode());
    }

    /**
     * A request closed so (the previous test) is an expected refusal, not an error: each one logged Vert.x's ERROR
     * "Unhandled exception in router" with a stack trace, as often as a client cared to trickle a body.
     */
    @Test
    void aRequestClosedForArrivingTooSlowlyLogsNoError() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Logger web = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(FerryWeb.class);
        ch.qos.logback.classic.Level was = web.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        web.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s.withIdleTimeout(Duration.ofSeconds(2)));
            Socket slow = open();
            java.io.OutputStream out = slow.getOutputStream();
            out.write(("POST /api/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readAll(slow);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            // Whichever comes: the line that says the close was expected, or the ERROR of before.
            dev.ferry.testing.Await.until(Duration.ofSeconds(30), () -> events(logged).stream().anyMatch(ev ->
                    ev.getFormattedMessage().contains("closed before the request arrived whole")
                            || ev.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR)),
                    () -> events(logged).toString());
        } finally {
            root.detachAppender(logged);
            web.setLevel(was);
        }
        assertTrue(events(logged).stream().noneMatch(ev -> ev.getLevel().isGreaterOrEqual(
                ch.qos.logback.classic.Level.ERROR)), () -> events(logged).toString());
    }

    private static List<ch.qos.logback.classic.spi.ILoggingEvent> events(
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged) {
        synchronized (logged) {
            return new ArrayList<>(logged.list);
        }
    }

    /**
     * A hostile review opened 1,000 connections that sent nothing to a service allowed 1,024 file descriptors: they
     * all stayed until the idle timeout, and meanwhile the inboxes failed with "Too many open files". No timeout
     * bounds how many a client opens within one, so the server holds at most {@code maxConnections()} and closes one
     * more at once; once one of them ends, a new one is served again.
     */
    @Test
    void connectionsBeyondTheMostAreClosedAtOnce() throws Exception {
        w = new WebFixture(tmp, FtpServerFixture.builder().start(), s -> s);
        int most = IdleClosingHttpServer.maxConnections();
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < most; i++) {
            Socket s = open();
            // A whole exchange on each: the server has counted the connection once it answers, and keeps it open.
            assertTrue(exchange(s).startsWith("HTTP/1.1 200"), "connection " + i);
            held.add(s);
        }
        Socket extra = open();
        extra.getOutputStream().write(GET_CSS);
        assertEquals("", readAll(extra), "one more connection is closed without an answer");
        held.get(0).close();
        dev.ferry.testing.Await.until(Duration.ofSeconds(30), () -> status("/api/transfers") == 200,
                () -> "a new connection once one ended");
        for (Socket s : held.subList(1, 4)) {
            assertTrue(exchange(s).startsWith("HTTP/1.1 200"), "the connections held are still served");
        }
    }

    private static final byte[] GET_CSS = "GET /ferry.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** One request and its whole answer on a kept-alive connection: the status line and headers. */
    private static String exchange(Socket s) throws IOException {
        s.getOutputStream().write(GET_CSS);
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString();
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        }
        return head.toString();
    }

    private int status(String path) {
        try {
            return w.get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", Integer.parseInt(w.base.substring(w.base.lastIndexOf(':') + 1)));
        s.setSoTimeout(READ_MILLIS);
        sockets.add(s);
        return s;
    }

    /** Reads whatever the server sends until it closes the connection: -1 then. */
    private static int readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            // An answer (e.g. 408 or 400) before the close is fine; the close is what counts.
        }
        return n;
    }

    /** What the server sends until it closes the connection. */
    private static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
