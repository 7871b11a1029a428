package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A hostile review: a server that refused a connection with a bare {@code 421} (no words after the code) was reported
 * as "refused another connection: " and nothing after it. The message says what was received.
 */
class BareRefusalTest {
    @Test
    void aBare421IsNamedAsSuch() throws Exception {
        for (String banner : new String[] {"421\r\n", "421 \r\n"}) {
            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread server = new Thread(() -> {
                    try (Socket s = listener.accept()) {
                        OutputStream out = s.getOutputStream();
                        out.write(banner.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (java.io.IOException ignored) {
                        // The client's side is what the test looks at.
                    }
                });
                server.start();
                ServerProfile profile = ServerProfile.builder("bare").host("127.0.0.1").port(listener.getLocalPort())
                        .user("u").password("p").connectTimeout(Duration.ofSeconds(5))
                        .soTimeout(Duration.ofSeconds(5)).dataTimeout(Duration.ofSeconds(5)).build();
                TooManyConnectionsException e = assertThrows(TooManyConnectionsException.class,
                        () -> FtpSession.open(profile, null).close(), banner.strip());
                assertTrue(e.getMessage().endsWith("refused another connection: reply 421 with no reason given"),
                        e.getMessage());
                server.join(5000);
            }
        }
    }
}
