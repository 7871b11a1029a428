package dev.ferry.web;

import dev.ferry.transfer.TransferEngine;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations over HTTP for one engine: the status page at {@code /}, the JSON API under {@code /api/transfers},
 * {@code /observe/health} and {@code /observe/metrics}. {@link #install} adds an embedded Vert.x HTTP server (Camel's
 * platform-http) and the routes to a CamelContext, started or not:
 *
 * <pre>{@code
 * FerryWeb web = FerryWeb.on(camelContext, engine, WebSettings.from(config::get, System::getenv)).install();
 * ...
 * web.close(); // stops the background health checks; the routes stop with the context
 * }</pre>
 *
 * A configuration that binds beyond loopback without a token is refused here, before anything listens.
 */
public final class FerryWeb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerryWeb.class);
    /** Far above any request (a few hundred bytes), far below what would cost memory. */
    private static final int MAX_BODY_MIB = 1;

    private final WebSettings settings;
    private final HealthMonitor health;
    private final VertxPlatformHttpServer server;

    private FerryWeb(WebSettings settings, HealthMonitor health, VertxPlatformHttpServer server) {
        this.settings = settings;
        this.health = health;
        this.server = server;
    }

    public static Builder on(CamelContext context, TransferEngine engine, WebSettings settings) {
        return new Builder(context, engine, settings);
    }

    public WebSettings settings() {
        return settings;
    }

    /** The port listened on: the configured one, or the one the system chose for port 0 once started. */
    public int port() {
        HttpServer s = server == null ? null : server.getServer();
        return s != null && s.actualPort() > 0 ? s.actualPort() : settings.port();
    }

    /** The page's address, e.g. http://127.0.0.1:8080/. */
    public String url() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return "http://" + host + ":" + port() + "/";
    }

    private void listening() {
        HttpServer s = server.getServer();
        // Vert.x keeps the configured port after a failed bind; only its implementation knows whether it listens.
        boolean listening = s != null && s.actualPort() > 0
                && (!(s instanceof io.vertx.core.net.impl.TCPServerBase tcp) || tcp.isListening());
        if (!listening) {
            throw new IllegalStateException("the status page and API cannot listen on " + settings.host() + ":"
                    + settings.port() + " (is another program using the port? the log above says why); set"
                    + " ferry.http.port to a free port, or ferry.http.enabled = false");
        }
        LOG.info("status page and API on {}{}", url(), settings.token() == null ? "" : " (token required)");
    }

    /**
     * Vert.x reports a port in use with a page of its own ERROR lines before {@link #listening()} can say it in one:
     * asking first lets the one line come alone. The check after the start stays, for a port taken in between.
     */
    private static void requirePortFree(WebSettings settings) {
        if (settings.port() == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(settings.bindAddress(), settings.port()));
        } catch (IOException e) {
            throw new IllegalStateException("the status page and API cannot listen on " + settings.host() + ":"
                    + settings.port() + " (" + e.getMessage() + ": another program is using the port, or another"
                    + " Ferry); set ferry.http.port to a free port, or ferry.http.enabled = false");
        }
    }

    /**
     * A body over the server's limit is refused by Vert.x before any route runs, in plain text; the API's clients
     * read JSON with an {@code error} in words, as for every other refusal.
     */
    private void tooLargeInJson() {
        // The router every request reaches (behind the server's own deadline handler): a sub-router's error handlers
        // are not asked for a failure of the body handler.
        io.vertx.ext.web.Router root = server instanceof IdleClosingHttpServer idle ? idle.router() : null;
        if (root != null) {
            Reply tooLarge = TransferApi.error(413, "the request body is larger than " + MAX_BODY_MIB + " MiB; a"
                    + " transfer request is a small JSON object");
            root.errorHandler(413, rc -> rc.response().setStatusCode(413)
                    .putHeader("Content-Type", tooLarge.contentType())
                    .end(io.vertx.core.buffer.Buffer.buffer(tooLarge.body())));
            // A request whose connection closed before its body arrived whole (IdleClosingHttpServer closes one that
            // takes longer than the idle timeout) fails in Vert.x's body handler with status 200: with no handler for
            // that, Vert.x logged an ERROR and a stack trace for each, as often as a client cared to send one.
            Reply failed = TransferApi.error(500, "internal error; the log has details");
            root.errorHandler(200, rc -> {
                if (rc.failure() instanceof io.vertx.core.http.HttpClosedException || rc.response().closed()) {
                    LOG.debug("{} {}: the connection closed before the request arrived whole", rc.request().method(),
                            rc.request().path());
                    return;
                }
                LOG.warn("{} {} failed", rc.request().method(), rc.request().path(), rc.failure());
                if (!rc.response().ended()) {
                    rc.response().setStatusCode(500).putHeader("Content-Type", failed.contentType())
                            .end(io.vertx.core.buffer.Buffer.buffer(failed.body()));
                }
            });
        }
    }

    HealthMonitor health() {
        return health;
    }

    @Override
    public void close() {
        if (health != null) {
            health.close();
        }
    }

    public static final class Builder {
        private final CamelContext context;
        private final TransferEngine engine;
        private final WebSettings settings;
        private RequestReader reader;
        private Submitter submitter;
        private TreeSubmitter trees;

        private Builder(CamelContext context, TransferEngine engine, WebSettings settings) {
            this.context = context;
            this.engine = engine;
            this.settings = settings;
        }

        /** How {@code POST /api/transfers} reads its body; default {@link StrictRequestReader}. */
        public Builder requestReader(RequestReader r) {
            this.reader = r;
            return this;
        }

        /** How a request for a folder is taken; default none (every request is one file). */
        public Builder trees(TreeSubmitter t) {
            this.trees = t;
            return this;
        }

        /** How an accepted request runs; default {@code engine.submit}. */
        public Builder submitter(Submitter s) {
            this.submitter = s;
            return this;
        }

        public FerryWeb install() throws Exception {
            settings.checked();
            if (!settings.enabled()) {
                LOG.info("the HTTP status page and API are off (ferry.http.enabled = false)");
                return new FerryWeb(settings, null, null);
            }
            requirePortFree(settings);
            RequestReader r = reader != null ? reader : new StrictRequestReader(engine.profiles());
            Submitter s = submitter != null ? submitter : request -> engine.submit(request);
            LastErrors errors = new LastErrors();
            Metrics metrics = new Metrics(Metrics.registryOf(context));
            engine.addListener(errors).addListener(metrics);
            HealthMonitor health = new HealthMonitor(engine.ledger(), engine.profiles(), engine.pool(),
                    settings.healthInterval(), settings.healthTimeout()).registerIn(context);
            metrics.bind(engine, health);
            VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
            // The literal checked() judged, not the name: a name could resolve elsewhere when Vert.x binds it.
            http.setBindHost(settings.bindAddress().getHostAddress());
            http.setBindPort(settings.port());
            http.setMaxBodySize((long) MAX_BODY_MIB << 20);
            VertxPlatformHttpServer server = new IdleClosingHttpServer(http, settings.idleTimeout());
            FerryWeb web = new FerryWeb(settings, health, server);
            try {
                context.addService(server);
                TransferApi api = new TransferApi(engine, r, s, errors, settings.recentLimit()).trees(trees);
                context.addRoutes(new WebRoutes(api, new ObserveApi(context, engine, health, metrics), settings));
                // Vert.x only logs a failed bind; a service whose status page is silently missing is worse than
                // one that does not start.
                context.addStartupListener(new ExtendedStartupListener() {
                    @Override
                    public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                    }

                    @Override
                    public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                        web.listening();
                        web.tooLargeInJson();
                    }
                });
                if (context.isStarted()) {
                    web.listening();
                    web.tooLargeInJson();
                }
                health.start();
            } catch (Exception | Error e) {
                health.close();
                throw e;
            }
            return web;
        }
    }
}
