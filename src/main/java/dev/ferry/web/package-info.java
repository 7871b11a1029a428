/**
 * Operations over HTTP on camel-platform-http (Vert.x), one server: the status page, the JSON API, health, metrics.
 *
 * <h2>The server</h2>
 * <ul>
 *   <li>{@link FerryWeb} installs the server on the address {@link WebSettings} resolved and judged
 *       ({@code ferry.http.*}: a non-loopback bind without a token is refused; Camel's own {@code camel.server.*} and
 *       {@code camel.management.*} servers are refused too; camel-platform-http-main is not used) and adds the routes
 *       to the CamelContext.</li>
 *   <li>{@link IdleClosingHttpServer}: Camel's Vert.x server with an idle timeout ({@code ferry.http.idle-timeout}),
 *       which Camel's own options lack, so a connection left half-sent does not hold a file descriptor for ever. A body
 *       trickled in is never idle, so a request must also arrive whole within the timeout: a stalled body gets its 408
 *       a little before the idle close could end the connection without an answer. At most {@code maxConnections()}
 *       connections at once (one more is closed as soon as it is accepted), and no cleartext HTTP/2, whose protocol
 *       detection would call the connection handler only after the first bytes. {@code WORKERS} (40) Vert.x worker
 *       threads run the routes.</li>
 * </ul>
 *
 * <h2>Routes</h2>
 * <ul>
 *   <li>{@link WebRoutes}: the status page at {@code /} (three files in {@code src/main/resources/dev/ferry/web}; a
 *       "Folders" section lists each tree with its counts and a failed tree's reason), the JSON API under
 *       {@code /api/transfers}, and {@code /observe/health}, {@code /observe/metrics}, {@code /observe/info}
 *       ({@link ObserveApi}). Guards: bearer token, loopback Host, same-origin POSTs; without a token a protected
 *       path answers only on a loopback socket. Calls that may wait on the ledger hold at most
 *       {@code LEDGER_CALLS} (workers less 8) threads, the rest refused with 503 at once, so probes and metrics are
 *       answered while the ledger stalls.</li>
 *   <li>{@link TransferApi}: list (of a backlog, the 200 oldest unfinished, {@code queuedMore} counting the rest),
 *       get, submit, cancel, resume, discard; {@code resumable} says where resume can work. Starts and discards run
 *       under the process's claim ({@code transfer.Claims}). A submit or resume finding the queue of transfers (or
 *       folders) full is refused with 503 before anything is recorded, and the send never waits for room: a waiting
 *       worker was one the page and health did not get ({@link Submitter#hasRoom}; in the service
 *       {@code service.QueueRoom}). Requests are read by a {@link RequestReader} ({@link StrictRequestReader}
 *       stand-alone). A posted folder goes to a {@link TreeSubmitter} (the service's accepts it through
 *       {@code tree.TreeRequests}) and answers 202 with the tree's id. Trees appear under {@code "trees"}
 *       ({@code tree.TreeState.running()} when live, else the {@code ferry_tree} row); each transfer has its
 *       {@code "tree"}, and {@code ?tree=<id>} lists one tree's files. {@link Reply} is an answer before it is
 *       written.</li>
 * </ul>
 *
 * <h2>Health and metrics</h2>
 * <ul>
 *   <li>{@link HealthMonitor}: the ledger and every server checked in the background; the ledger by a read and by
 *       {@code ledger.Leases}' last heartbeat write that landed ({@code sinceRenewed}, {@code fresh}), since a ledger
 *       may answer reads and take no write. Registered in Camel's health-check registry as
 *       {@link FerryHealthCheck}s (readiness for the ledger and servers, liveness for the rounds), so
 *       {@code /observe/health} reports Camel's registry as a whole and a probe never opens an FTP connection.</li>
 *   <li>{@link Metrics}: a listener whose meters (counters, gauges, duration and size histograms per server) live in
 *       camel-micrometer-prometheus's registry with Camel's route meters and the JVM and process binders, plus the
 *       running trees' gauges ({@code tree.TreeCounters}); {@code /observe/metrics} is its scrape.
 *       {@link LastErrors}: a listener keeping recent failures for the page.</li>
 * </ul>
 */
package dev.ferry.web;
