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
 */
final class IdleClosingHttpServer extends VertxPlatformHttpServer {
    private final VertxPlatformHttpServerConfiguration configuration;
    private final Duration idleTimeout;
    private volatile HttpServer server;

    IdleClosingHttpServer(VertxPlatformHttpServerConfiguration configuration, Duration idleTimeout) {
        super(configuration);
        this.configuration = configuration;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    protected void startServer() throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setIdleTimeout((int) Math.max(1, idleTimeout.toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        // The router Camel's initializeServer made for this port; the routes are added to it as they start. Ferry
        // serves it at "/", so it is the request handler itself (a mount below a root router would add nothing).
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
        HttpServer s = getVertx().createHttpServer(options).requestHandler(router);
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
