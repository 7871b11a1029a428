package dev.ferry.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebSettingsTest {
    private static WebSettings from(Map<String, String> config, Map<String, String> env) {
        return WebSettings.from(config::get, env::get);
    }

    @Test
    void defaultsToLoopbackOn8080WithoutToken() {
        WebSettings s = from(Map.of(), Map.of());
        assertEquals("127.0.0.1", s.host());
        assertEquals(8080, s.port());
        assertNull(s.token());
        assertTrue(s.loopback());
        assertTrue(s.enabled());
        assertEquals(Duration.ofSeconds(30), s.healthInterval());
        s.checked();
    }

    @Test
    void readsItsKeys() {
        WebSettings s = from(Map.of("ferry.http.port", "9090", "ferry.http.host", "localhost", "ferry.http.token", "t0k",
                "ferry.http.health-interval", "5", "ferry.http.enabled", "false"), Map.of());
        assertEquals(9090, s.port());
        assertEquals("t0k", s.token());
        assertEquals(Duration.ofSeconds(5), s.healthInterval());
        assertFalse(s.enabled());
        assertTrue(s.loopback());
        assertFalse(s.toString().contains("t0k"), "the token is never printed: " + s);
    }

    @Test
    void theEnvironmentsTokenWins() {
        assertEquals("from-env", from(Map.of("ferry.http.token", "from-file"), Map.of("FERRY_HTTP_TOKEN", "from-env"))
                .token());
    }

    @Test
    void refusesToServeBeyondLoopbackWithoutAToken() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> from(Map.of("ferry.http.host", "0.0.0.0"), Map.of()).checked());
        assertTrue(e.getMessage().contains("ferry.http.token"), e.getMessage());
        from(Map.of("ferry.http.host", "0.0.0.0", "ferry.http.token", "long-random-16-chars"), Map.of()).checked();
        from(Map.of("ferry.http.host", "0.0.0.0", "ferry.http.enabled", "false"), Map.of()).checked();
    }

    @Test
    void aPortThatIsNoNumberIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> from(Map.of("ferry.http.port", "eighty"), Map.of()));
        assertTrue(e.getMessage().contains("ferry.http.port"), e.getMessage());
    }

    @Test
    void aTokenShorterThan16CharactersIsRefusedInOneLineWithoutShowingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> from(Map.of(), Map.of("FERRY_HTTP_TOKEN", "s3cr5")).checked());
        assertEquals("the HTTP token (FERRY_HTTP_TOKEN or ferry.http.token) has 5 characters: use at least 16 random"
                + " ones, e.g. the output of `openssl rand -hex 16`", e.getMessage());
        assertThrows(IllegalStateException.class, () -> from(Map.of("ferry.http.host", "0.0.0.0",
                "ferry.http.token", "fifteen-chars-x"), Map.of()).checked());
        assertEquals(16, from(Map.of(), Map.of("FERRY_HTTP_TOKEN", "sixteen-chars-xy")).checked().token().length());
        // Off, the token is never used: nothing to refuse.
        from(Map.of("ferry.http.enabled", "false", "ferry.http.token", "short"), Map.of()).checked();
    }
}
