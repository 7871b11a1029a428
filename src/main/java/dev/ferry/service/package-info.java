/**
 * The camel-main application: settings, the engine and its beans, the inboxes' ownership, recovery and upkeep.
 *
 * <h2>Settings</h2>
 * <ul>
 *   <li>{@link FerrySettings}: every {@code ferry.*} key resolved by Camel's {@code PropertiesComponent}: defaults and
 *       {@code config/application.properties} as camel-main's initial properties, {@code --ferry.<key>=} arguments as
 *       its override properties, environment and {@code -D} in Camel's own order, so routes, Java and the banner read
 *       one value. Server profiles. Secrets only from the environment, {@code -D} or {@code secrets.properties}, never
 *       given to Camel. {@code origin} says where a key's value came from, for an error line; {@code checkValues}
 *       refuses wrong kinds at start.</li>
 *   <li>{@link Locations}: refuses at start a server host that is a URL or holds a user, a trust store that is not
 *       there, a ledger URL no driver takes. {@link FolderOverlap}: the upload inbox, request inbox and download
 *       folder (and the demo server's root) must be apart, links followed, since one's output would be another's
 *       input.</li>
 * </ul>
 *
 * <h2>The service</h2>
 * <ul>
 *   <li>{@link FerryService}: one engine, the registry beans ({@code ferryLedger}, {@code ferryUploadFilter},
 *       {@code ferryInboxPolicy}, {@code ferryPipelineRoom}, ...), the banner. It refuses to start without a route
 *       from each endpoint it sends work to: {@code direct:ferry-pipeline}, {@code seda:ferry-transfers},
 *       {@code seda:ferry-trees}. A displaced node (see {@code ledger.Leases}) stops the service with exit 1.</li>
 *   <li>{@link Recovery} (invariant 4): unfinished transfers back into {@code seda:ferry-transfers} at start and
 *       every lease / 3 ({@code keepClaiming}), except those an inbox takes again and the files of a folder that will
 *       run again (a node has its order, its request file waits in the request inbox, or a run holds it), which the
 *       tree's run resumes; a file whose tree will not run again runs alone, never forgotten. Every round first takes
 *       over the tree orders of nodes that stopped for good and sends them, as the service sends its own pending
 *       ones at start, to {@code seda:ferry-trees}.</li>
 *   <li>{@link QueueRoom}: room in a {@code seda:} queue, for the API, which offers instead of waiting.</li>
 *   <li>{@link LedgerUpkeep}: hourly {@code ledger.Retention} with {@code ferry.ledger.keep-days}.</li>
 *   <li>{@link EventPublisher}: progress events as JSON to {@code ferry.events.endpoint}, on a thread of its own with
 *       a bounded queue (a full queue drops events rather than slowing transfers). {@link EventLogRoll}:
 *       routes/progress.yaml's {@code data/events.jsonl} kept under 64 MiB.</li>
 *   <li>{@link DemoFtpServer}: an embedded FTP server on loopback when no server is configured.</li>
 *   <li>{@link StartFailure}: why the service could not start, in one line (a route file's YAML line, a missing
 *       routes/ folder).</li>
 * </ul>
 *
 * <h2>Who takes the inboxes</h2>
 * <ul>
 *   <li>{@link InboxLocks}: one service per inbox folder for its whole life, so the inbox routes need no marker file
 *       per drop. {@code recheck}, every 2 s, locks a new folder made at an inbox's path after the old one was moved
 *       away, or stops the inbox routes when another service holds it.</li>
 *   <li>{@link InboxElection} with {@code ferry.cluster.inbox=master}: the inbox routes' {@code ferryInboxPolicy} is
 *       camel-cluster's {@code ClusteredRoutePolicy} over {@link LedgerClusterService}, Camel's cluster service on
 *       {@code ledger.Election}: a leader row under a lease in the shared ledger (the transfers' lease plus 2 s, so a
 *       new leader finds every lease of a dead one run out and claims its half-done drops at once), a round every
 *       second, taken once it has run out, given up by a leader that could not renew for two thirds of it. One node
 *       at a time takes the shared inboxes, and a frozen leader loses them as a dead one does. Other nodes' claim
 *       loops leave transfers whose file waits in a shared inbox to the leader.</li>
 * </ul>
 *
 * <h2>JVM flags</h2>
 * {@code bin/ferry} starts the service with shallower C2 inlining ({@code MaxInlineLevel=6},
 * {@code FreqInlineSize=100}, {@code InlineSmallCode=1000}): compiling each file's wide path was about half of a warm
 * service's CPU.
 */
package dev.ferry.service;
