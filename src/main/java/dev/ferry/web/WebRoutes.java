package dev.ferry.web;

import dev.ferry.ledger.LedgerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of {@link TransferApi} and {@link ObserveApi} on camel-platform-http, and the status page's three
 * files. Every answer goes through {@link #write}, which drops every header the request brought (an Authorization
 * header never travels back) and sets only its own.
 *
 * <p>Guards, in order: a server bound to loopback only answers requests addressed to a loopback name (a web page
 * cannot reach it through DNS rebinding); the API and /observe paths need {@code Authorization: Bearer <token>}
 * when a token is configured; a POST from a browser must come from the page's own origin and a submission must be
 * {@code application/json} (another site cannot post a form at it).
 */
final class WebRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(WebRoutes.class);
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final TransferApi api;
    private final ObserveApi observe;
    private final WebSettings settings;
    private final byte[] tokenBytes;
    private final Map<String, Reply> files = new LinkedHashMap<>();
    private final java.util.concurrent.Semaphore ledgerCalls =
            new java.util.concurrent.Semaphore(IdleClosingHttpServer.LEDGER_CALLS);

    WebRoutes(TransferApi api, ObserveApi observe, WebSettings settings) {
        this.api = api;
        this.observe = observe;
        this.settings = settings;
        this.tokenBytes = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
        files.put("/", file("index.html", "text/html; charset=utf-8").withHeader("Content-Security-Policy", CSP)
                .withHeader("X-Frame-Options", "DENY"));
        files.put("/ferry.css", file("ferry.css", "text/css; charset=utf-8"));
        files.put("/ferry.js", file("ferry.js", "text/javascript; charset=utf-8"));
    }

    private interface Handler {
        Reply handle(Exchange exchange);
    }

    @Override
    public void configure() {
        endpoint("/api/transfers", true, Map.of(
                // ?tree=<id>: one tree's files (platform-http gives query parameters as headers).
                "GET", ex -> {
                    String tree = ex.getMessage().getHeader("tree", String.class);
                    return tree == null || tree.isBlank() ? api.list() : api.forId(tree, api::listTree);
                },
                "POST", ex -> jsonBody(ex, api::submit)));
        endpoint("/api/transfers/{id}", true, Map.of("GET", ex -> api.forId(id(ex), api::get)));
        endpoint("/api/transfers/{id}/cancel", true, Map.of("POST", ex -> api.forId(id(ex), api::cancel)));
        endpoint("/api/transfers/{id}/resume", true, Map.of("POST", ex -> api.forId(id(ex), api::resume)));
        endpoint("/api/transfers/{id}/discard", true, Map.of("POST", ex -> api.forId(id(ex), api::discard)));
        endpoint("/observe/health", true, Map.of("GET", ex -> observe.health(
                ex.getMessage().getHeader("exposureLevel", String.class))));
        endpoint("/observe/health/live", true, Map.of("GET", ex -> observe.live()));
        endpoint("/observe/health/ready", true, Map.of("GET", ex -> observe.ready()));
        endpoint("/observe/metrics", true, Map.of("GET", ex -> observe.metrics()));
        endpoint("/observe/info", true, Map.of("GET", ex -> observe.info()));
        // The page and its files hold no data: the page asks for the token when the API wants one.
        files.forEach((path, reply) -> endpoint(path, false, Map.of("GET", ex -> reply)));
    }

    private void endpoint(String path, boolean protectedPath, Map<String, Handler> methods) {
        String routeId = path.equals("/") ? "ferry-web-page"
                : ("ferry-web" + path.replaceAll("[{}]", "").replaceAll("[^a-zA-Z0-9]+", "-")).replaceAll("-$", "");
        org.apache.camel.component.platform.http.PlatformHttpEndpoint http = getContext().getEndpoint(
                "platform-http:" + path, org.apache.camel.component.platform.http.PlatformHttpEndpoint.class);
        http.setHeaderFilterStrategy(new ReplyHeaders());
        from(http).routeId(routeId).process(ex -> {
            boolean head = "HEAD".equalsIgnoreCase(ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class));
            write(ex.getMessage(), handle(ex, path, protectedPath, methods), head);
        });
    }

    private Reply handle(Exchange ex, String path, boolean protectedPath, Map<String, Handler> methods) {
        Message in = ex.getMessage();
        String method = in.getHeader(Exchange.HTTP_METHOD, "GET", String.class).toUpperCase(Locale.ROOT);
        String host = authority(in.getHeader(Exchange.HTTP_URL, String.class));
        if (!hostAllowed(host)) {
            return TransferApi.error(421, "this server answers only requests addressed to 127.0.0.1 or localhost");
        }
        if (protectedPath && tokenBytes == null && !arrivedOnLoopback(in)) {
            // The socket decides, not a setting: whatever server carries these routes, one without a token answers
            // only on loopback (the start refuses such a bind; this holds should anything bind it anyway).
            return TransferApi.error(403, "this server has no token, so it answers only on loopback: set "
                    + WebSettings.TOKEN_ENV + " to serve beyond this machine");
        }
        if (protectedPath && tokenBytes != null && !authorized(in.getHeader("Authorization", String.class))) {
            return TransferApi.error(401, "a bearer token is required: send Authorization: Bearer <ferry.http.token>")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"ferry\"");
        }
        // HEAD wherever GET is (HTTP requires it): the same reply, whose body the server leaves out.
        Handler h = methods.get(method.equals("HEAD") ? "GET" : method);
        if (h == null) {
            java.util.List<String> allowed = new java.util.ArrayList<>(new java.util.TreeSet<>(methods.keySet()));
            if (allowed.contains("GET")) {
                allowed.add("HEAD");
            }
            return TransferApi.error(405, method + " is not allowed on " + path + "; use "
                    + String.join(" or ", allowed)).withHeader("Allow", String.join(", ", allowed));
        }
        if (method.equals("POST") && !sameOrigin(in.getHeader("Origin", String.class), host)) {
            return TransferApi.error(403, "cross-origin requests are refused");
        }
        // A stalled ledger holds each call for the pool's 30 s, on a worker thread the probes share: 20 such calls
        // once left /observe/health/live unanswered, and a liveness probe would restart a process that a restart
        // cannot help. Those calls take part of the workers; one more is refused at once rather than queued.
        boolean waitsOnLedger = path.startsWith("/api/") || path.equals("/observe/info");
        if (waitsOnLedger && !ledgerCalls.tryAcquire()) {
            return TransferApi.error(503, IdleClosingHttpServer.LEDGER_CALLS + " calls are already waiting for the"
                    + " ledger, which answers slowly or not at all (/observe/health says); this one was not run: send"
                    + " it again later").withHeader("Retry-After", "5");
        }
        try {
            return h.handle(ex);
        } catch (LedgerException e) {
            return TransferApi.unavailable(e);
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", method, path, e);
            return TransferApi.error(500, "internal error (" + e.getClass().getSimpleName() + "); the log has details");
        } finally {
            if (waitsOnLedger) {
                ledgerCalls.release();
            }
        }
    }

    private static Reply jsonBody(Exchange ex, Function<String, Reply> then) {
        String type = ex.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json")) {
            return TransferApi.error(415, "send the request as Content-Type: application/json");
        }
        return then.apply(ex.getMessage().getBody(String.class));
    }

    private static String id(Exchange ex) {
        return ex.getMessage().getHeader("id", "", String.class);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, tokenBytes);
    }

    /** The request came in on a loopback address of this machine (the local end of its connection). */
    private static boolean arrivedOnLoopback(Message in) {
        Object local = in.getHeader(VertxPlatformHttpConstants.LOCAL_ADDRESS);
        if (local instanceof io.vertx.core.net.SocketAddress a && a.hostAddress() != null) {
            try {
                return java.net.InetAddress.getByName(a.hostAddress()).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /** Bound to loopback: only requests for a loopback name (guards against DNS rebinding). */
    private boolean hostAllowed(String host) {
        if (host == null || !settings.loopback()) {
            return true;
        }
        String name = hostName(host);
        // An address literal, not a prefix: "127.0.0.1.rebind.example" is a name its owner can point at 127.0.0.1.
        return name.equals("localhost") || LOOPBACK_V4.matcher(name).matches() || name.equals("[::1]")
                || name.equals("::1");
    }

    private static final java.util.regex.Pattern LOOPBACK_V4 =
            java.util.regex.Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    /** A browser sends Origin with every cross-site POST; it must be this server's own. */
    private static boolean sameOrigin(String origin, String host) {
        if (origin == null) {
            return true; // not a browser (curl, a script): nothing to forge
        }
        try {
            URI o = URI.create(origin);
            String authority = o.getRawAuthority();
            return authority != null && host != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The host and port the client addressed (Vert.x builds the request URL from the Host header). */
    private static String authority(String url) {
        if (url == null) {
            return null;
        }
        // Read by hand: a character URI refuses elsewhere in the URL (a raw '<' in the path) must not make the
        // host look foreign.
        int start = url.indexOf("://");
        if (start < 0) {
            return "";
        }
        start += 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(start, end);
    }

    private static String hostName(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static void write(Message out, Reply reply, boolean head) {
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        out.setHeader(Exchange.CONTENT_TYPE, reply.contentType());
        out.setHeader("Cache-Control", "no-store");
        out.setHeader("X-Content-Type-Options", "nosniff");
        out.setHeader("Referrer-Policy", "no-referrer");
        reply.headers().forEach(out::setHeader);
        if (head) {
            // The length GET would send (RFC 9110 9.3.2); Vert.x writes no body for HEAD.
            out.setHeader("Content-Length", String.valueOf(reply.body().length));
        }
        out.setBody(head ? null : reply.body());
    }

    private static Reply file(String name, String type) {
        String resource = "dev/ferry/web/" + name;
        try (InputStream in = WebRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + resource);
            }
            return new Reply(200, type, in.readAllBytes(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * Camel's HTTP filter drops Cache-Control and Content-Length from every reply: the API's answers must not be
     * cached (they hold transfers' paths), and a HEAD reply says the length its GET would have. The routes set only
     * their own reply headers (write), so letting these two through lets nothing else through.
     */
    private static final class ReplyHeaders extends org.apache.camel.http.base.HttpHeaderFilterStrategy {
        @Override
        protected void initialize() {
            super.initialize();
            getOutFilter().remove("cache-control");
            getOutFilter().remove("content-length");
        }
    }
}
