package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.transfer.TransferEngine;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web module refuses to start rather than run without its guard or without its port. */
class StartupTest {
    @TempDir
    Path tmp;
    FtpServerFixture ftp;
    JdbcLedger ledger;
    TransferEngine engine;
    DefaultCamelContext camel;

    @BeforeEach
    void start() {
        ftp = FtpServerFixture.builder().start();
        ledger = JdbcLedger.h2(tmp.resolve("ledger"));
        engine = new TransferEngine(ledger, new ServerProfiles().add(WebFixture.profile(ftp).build()),
                TransferOptions.none(), Duration.ofMillis(200));
        camel = new DefaultCamelContext();
    }

    @AfterEach
    void stop() {
        camel.stop();
        engine.close();
        ledger.close();
        ftp.close();
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutAToken() throws Exception {
        int port = WebFixture.freePort();
        WebSettings open = WebSettings.defaults().withHost("0.0.0.0").withPort(port);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerryWeb.on(camel, engine, open).install());
        assertTrue(e.getMessage().contains("needs a token"), e.getMessage());
        camel.start();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "nothing listens");
        assertTrue(camel.getRoutes().isEmpty());
    }

    @Test
    void refusesATokenShorterThan16CharactersBeforeAnythingListens() throws Exception {
        int port = WebFixture.freePort();
        WebSettings weak = WebSettings.defaults().withHost("0.0.0.0").withPort(port).withToken("12345");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerryWeb.on(camel, engine, weak).install());
        assertTrue(e.getMessage().contains("has 5 characters: use at least 16"), e.getMessage());
        assertFalse(e.getMessage().contains("12345"), e.getMessage());
        camel.start();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "nothing listens");
        assertTrue(camel.getRoutes().isEmpty());
    }

    @Test
    void aPortInUseStopsTheStartWithAClearMessage() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> FerryWeb.on(camel, engine,
                    WebSettings.defaults().withPort(taken.getLocalPort())).install());
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("another program is using the port"), e.getMessage());
            camel.start();
            assertTrue(camel.getRoutes().isEmpty());
        } finally {
            root.detachAppender(logged);
        }
        // The one line says it; Vert.x never tried, so no page of its own ERROR lines comes before it.
        assertTrue(logged.list.stream().noneMatch(ev -> ev.getLevel().isGreaterOrEqual(
                ch.qos.logback.classic.Level.ERROR)), () -> logged.list.toString());
    }
}
