package dev.ferry.web;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * An engine on a fresh ledger with one server profile ("test", the embedded FTP server), a CamelContext with the
 * web module installed on a free loopback port, and an HTTP client for it.
 */
final class WebFixture implements AutoCloseable {
    final FtpServerFixture ftp;
    final JdbcLedger ledger;
    final TransferEngine engine;
    final DefaultCamelContext camel;
    final FerryWeb web;
    final String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String token;

    WebFixture(Path tmp, FtpServerFixture ftp, UnaryOperator<WebSettings> settings, ServerProfile... more)
            throws Exception {
        this(JdbcLedger.h2(tmp.resolve("ledger")), ftp, settings, more);
    }

    /** On a ledger of the caller's (e.g. PostgreSQL through a relay); closed with the fixture. */
    WebFixture(JdbcLedger ledger, FtpServerFixture ftp, UnaryOperator<WebSettings> settings, ServerProfile... more)
            throws Exception {
        this.ftp = ftp;
        this.ledger = ledger;
        ServerProfiles profiles = new ServerProfiles().add(profile(ftp).build());
        for (ServerProfile p : more) {
            profiles.add(p);
        }
        this.engine = new TransferEngine(ledger, profiles, TransferOptions.none(), Duration.ofMillis(200));
        this.camel = new DefaultCamelContext();
        // Port 0: the system picks a free one (a port probed free can be taken by an FTP data connection meanwhile).
        WebSettings s = settings.apply(WebSettings.defaults().withPort(0).withHealthInterval(Duration.ofSeconds(1)));
        this.web = FerryWeb.on(camel, engine, s).install();
        camel.start();
        this.base = "http://127.0.0.1:" + web.port();
        this.token = s.token();
    }

    static ServerProfile.Builder profile(FtpServerFixture ftp) {
        return ftp.profile(8);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(request(path).GET());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        HttpRequest.Builder b = request(path);
        b.header("Content-Type", "application/json");
        return send(b.POST(json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        try {
            camel.stop();
        } finally {
            web.close();
            engine.close();
            ledger.close();
            ftp.close();
        }
    }
}
