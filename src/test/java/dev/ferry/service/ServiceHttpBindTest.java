package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.testing.FtpServerFixture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 2: the token requirement follows the address bound, whatever setting moved it. With
 * camel.management.enabled and camel.management.host = 0.0.0.0 the API once answered 200 without a token from another
 * machine.
 */
class ServiceHttpBindTest {
    private static final String TOKEN = "0123456789abcdef0123";

    @TempDir
    Path tmp;

    @Test
    void aSettingThatBindsBeyondLoopbackWithoutATokenRefusesToStart() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("camel.management.enabled", "true");
            harness.properties.put("camel.management.host", "0.0.0.0");
            harness.properties.put("camel.management.port", "0");
            IllegalStateException e = assertThrows(IllegalStateException.class, harness::start);
            String m = e.getMessage();
            assertTrue(m.contains("camel.management.enabled") && m.contains("FERRY_HTTP_TOKEN"), m);
            assertFalse(Files.exists(harness.uploadInbox().resolve(InboxLocks.LOCK_FILE)), "refused before the inbox");

            harness.properties.remove("camel.management.enabled");
            harness.writeConfig();
            e = assertThrows(IllegalStateException.class, () -> FerryService.start(FerrySettings.load(harness.config,
                    Map.of("ferry.http.host", "0.0.0.0")), null));
            assertTrue(e.getMessage().contains("needs a token") && e.getMessage().contains("FERRY_HTTP_TOKEN"),
                    e.getMessage());
        }
    }

    @Test
    void boundBeyondLoopbackWithATokenItAnswers401WithoutItAnd200WithIt() throws Exception {
        InetAddress outside = nonLoopbackAddress().orElse(null);
        assumeTrue(outside != null, "this machine has no address but loopback");
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            harness.properties.put("ferry.http.host", "0.0.0.0");
            harness.secrets.put("ferry.http.token", TOKEN);
            try (FerryService service = harness.start()) {
                int port = URI.create(service.webUrl()).getPort();
                String url = "http://" + outside.getHostAddress() + ":" + port + "/api/transfers";
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> without = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, without.statusCode(), without.body());
                HttpResponse<String> with = http.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, with.statusCode(), with.body());
            }
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
    }
}
