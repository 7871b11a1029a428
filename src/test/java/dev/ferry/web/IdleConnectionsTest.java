package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
