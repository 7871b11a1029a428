package dev.ferry.web;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * Camel's platform-http Vert.x server, listening with an idle timeout: a connection idle for {@code idleTimeout} (no
 * byte either way: a client that stopped half-way through its request, or never sent one) is closed. Camel builds
 * its server's options itself, without one: a review held 3,000 half-sent requests open for as long as it liked (one
 * file descriptor each, of the process's 20,000 that its FTP connections, part files and ledger need too), and the
 * token is checked only once a request is complete, so with a non-loopback bind anyone who can connect could do it.
 * A request whose body trickles in is never idle, so a request must also arrive whole within the idle timeout. And no
 * timeout bounds how many connections a client opens within one, so the server holds only so many at once.
 */
final class IdleClosingHttpServer extends VertxPlatformHttpServer {
    private final VertxPlatformHttpServerConfiguration configuration;
    private final Duration idleTimeout;
    private volatile HttpServer server;
    private volatile io.vertx.ext.web.Router router;
    private final int maxConnections = maxConnections();
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean();

    IdleClosingHttpServer(VertxPlatformHttpServerConfiguration configuration, Duration idleTimeout) {
        super(configuration);
        this.configuration = configuration;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    /**
     * Threads that run the routes (Camel's platform-http runs each request on the Vert.x worker pool, 20 threads by
     * default). {@link WebRoutes} lets calls that may wait on the ledger hold {@link #LEDGER_CALLS} of them, so the
     * health probes, the metrics and the page always find one.
     */
    static final int WORKERS = 40;
    static final int LEDGER_CALLS = WORKERS - 8;

    @Override
    protected io.vertx.core.Vertx createVertxInstance() {
        io.vertx.core.VertxOptions options = org.apache.camel.support.CamelContextHelper.findSingleByType(
                getCamelContext(), io.vertx.core.VertxOptions.class);
        return io.vertx.core.Vertx.vertx(options != null ? options
                : new io.vertx.core.VertxOptions().setWorkerPoolSize(WORKERS));
    }

    /** The router every request goes to once its deadline is set; null before the start. */
    io.vertx.ext.web.Router router() {
        return router;
    }

    @Override
    protected void startServer() throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setIdleTimeout((int) Math.max(1, idleTimeout.toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                // Cleartext HTTP/2 makes Vert.x wait for a connection's first bytes before it calls the connection
                // handler, so a connection that sends nothing would not be counted against the cap; nothing here
                // speaks h2c (browsers use HTTP/2 only over TLS).
                .setHttp2ClearTextEnabled(false);
        // The router Camel's initializeServer made for this port; the routes are added to it as they start. Ferry
        // serves it at "/", so it handles every request (a mount below a root router would add nothing).
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
        this.router = router;
        io.vertx.core.Vertx vertx = getVertx();
        // A little before the idle timeout: a body that stalls right after its headers is also idle, and the idle
        // close, firing at the same moment, could win and end it with no answer at all instead of the 408.
        long idle = Math.max(1000, idleTimeout.toMillis());
        long deadline = idle - Math.min(500, idle / 4);
        HttpServer s = vertx.createHttpServer(options)
                .connectionHandler(this::counted)
                .requestHandler(request -> {
                    if (!request.isEnded()) {
                        vertx.setTimer(deadline, t -> tooSlow(request));
                    }
                    router.handle(request);
                });
        server = s;
        try {
            s.listen(configuration.getBindPort(), configuration.getBindHost()).toCompletionStage().toCompletableFuture()
                    .get();
        } catch (java.util.concurrent.ExecutionException e) {
            // As Camel's own server: a failed bind is only logged here; FerryWeb.listening() says it in one line.
            org.slf4j.LoggerFactory.getLogger(IdleClosingHttpServer.class).debug("listen failed", e.getCause());
        }
    }

    /**
     * The idle timeout alone let a body trickle in for ever: a byte every few seconds is never idle, and the token is
     * checked only once the body is whole, so anyone who could connect held a connection per request for as long as
     * they liked. A request's body must have arrived whole within the idle timeout of its headers.
     */
    private static void tooSlow(io.vertx.core.http.HttpServerRequest request) {
        if (request.isEnded()) {
            return;
        }
        io.vertx.core.http.HttpServerResponse response = request.response();
        if (!response.headWritten() && !response.ended()) {
            response.setStatusCode(408).putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Connection", "close")
                    .end("{\"error\":\"the request did not arrive whole within ferry.http.idle-timeout\","
                            + "\"status\":408}");
        }
        request.connection().close();
    }

    /**
     * At most {@link #maxConnections()} connections at once; one more is closed as soon as it is accepted. Each holds
     * a file descriptor of the process's, which its FTP connections, part files and ledger share, and no timeout
     * bounds how many a client can open within one: a review opened 1,000 silent connections against a limit of
     * 1,024 and the inboxes stopped ("Too many open files") until it let them go.
     */
    private void counted(io.vertx.core.http.HttpConnection connection) {
        int now = open.incrementAndGet();
        connection.closeHandler(v -> open.decrementAndGet());
        if (now > maxConnections) {
            if (full.compareAndSet(false, true)) {
                org.slf4j.LoggerFactory.getLogger(IdleClosingHttpServer.class).warn("the status page and API have {}"
                        + " connections open, their most: new ones are closed at once until some end (from {})",
                        maxConnections, connection.remoteAddress());
            }
            connection.close();
        } else if (now < maxConnections * 3 / 4) {
            full.set(false);
        }
    }

    /**
     * A quarter of the process's file descriptors, between 64 and 1,024: far above what a few browsers, scrapers and
     * scripts keep open, far below what the transfers need.
     */
    static int maxConnections() {
        long fds = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 4096;
        return (int) Math.max(64, Math.min(1024, fds / 4));
    }

    /**
     * Closes the Vert.x instance this server made (none was in the registry), as Camel's own does, but here: Camel's
     * closes it on an executor that only its own startServer makes, so every stop logged a NullPointerException and
     * left Vert.x's threads running.
     */
    @Override
    protected void stopVertx() {
        io.vertx.core.Vertx v = getVertx();
        if (v == null || lookupVertx() != null) {
            return;
        }
        try {
            closed(v.close(), "Vert.x");
        } finally {
            setVertx(null);
        }
    }

    @Override
    protected void stopServer() {
        HttpServer s = server;
        if (s == null) {
            return;
        }
        try {
            closed(s.close(), "the HTTP server");
        } finally {
            server = null;
        }
    }

    /** Waits up to 10 s for a close; a stop goes on either way. */
    private static void closed(io.vertx.core.Future<Void> close, String what) {
        try {
            close.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            org.slf4j.LoggerFactory.getLogger(IdleClosingHttpServer.class).debug("closing {} failed", what, e);
        }
    }
}
