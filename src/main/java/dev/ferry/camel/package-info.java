/**
 * The {@code ferry:} Camel component the routes in {@code routes/*.yaml} call, and the inbox helpers the routes use
 * as beans. Every step only adapts an exchange to {@code transfer.TransferEngine}.
 *
 * <h2>The component</h2>
 * <ul>
 *   <li>{@link FerryComponent} → {@link FerryEndpoint} → {@link FerryProducer} (asynchronous). Operations
 *       ({@link FerryOperation}): {@code accept}, {@code plan} (claims the transfer), {@code segment},
 *       {@code publish} (calls {@code publishOrRestart}), {@code transfer} and {@code batch}. {@code accept}
 *       records a request refused for its content as FAILED with a reason beginning {@code refused: } (which the
 *       API never resumes), and answers a download published before, whose file and the server's are still as
 *       published, as done under fileExist Fail or Ignore, leaving its row PUBLISHED. A broker message delivered
 *       again after its transfer was published is done too ({@link DeliveredAgain}: {@code JMSRedelivered}, the send
 *       time and the published file).</li>
 *   <li>Options are {@code @UriParam} fields on {@link FerryConfiguration}, bound by the configurers
 *       {@code camel-package-maven-plugin} generates into {@code src/generated} (descriptor {@code ferry.json}).
 *       {@link FerryConstants} names headers and properties.</li>
 *   <li>{@link OwnEngine}: the engine, ledger and permits the component builds from its own
 *       {@code camel.component.ferry.*} options when no engine is given, owned and closed by it.</li>
 * </ul>
 *
 * <h2>Batches and segments</h2>
 * <ul>
 *   <li>{@link BatchLanes}: the {@code batch} step's threads. Each lane runs queued exchanges one after the other
 *       inside one {@code JdbcLedger.oneCommit}, up to {@code batchSize} or 0.5 s, then completes every exchange it
 *       took. A batch's claims ({@code transfer.Claims}, taken with {@code tryClaim}) last until its commit
 *       ({@code UnitOfWork.whenEnded}); a transfer planned inside a batch gets one segment, on the lane's thread.
 *       A batch whose commit failed recorded nothing, so each of its exchanges that went well, or failed on the
 *       ledger, runs again alone (its copy already on the server is recognised and recorded, not sent again); once
 *       one finds the database out of reach the rest fail with that reason. Its queue holds one batch's worth, so the
 *       inbox's consumer hands a big poll over as the lanes take it instead of every poll listing the backlog
 *       again.</li>
 *   <li>{@link SegmentTask}: a split item; {@code ${body.key}} = {@code <id>#<index>} for the idempotent consumer.
 *       {@link SegmentAggregation}/{@link SegmentOutcome}: per-transfer results, the first failure by
 *       {@code transfer.FirstFailure}.</li>
 *   <li>{@link LostLeaseWait}: an inbox file whose transfer this node lost is not moved to {@code .failed/}; the
 *       exchange waits until the ledger says how the new owner ended it, or this node claims it back.</li>
 * </ul>
 *
 * <h2>Inbox files</h2>
 * <ul>
 *   <li>{@link RequestParser}: JSON request files and messages, with errors that name the file and field; an
 *       unknown field is refused with the list of accepted ones (file fields and {@code FOLDER_FIELDS}, those
 *       {@code tree.TreeRequests} takes off first). {@link RequestFiles}: a request is read only from a regular file
 *       of its own, of bounded size; links, FIFOs and devices are refused before a byte is read.</li>
 *   <li>{@link NotBeingWritten}: the upload inbox's readiness filter ({@code ferryUploadFilter}): a file a process
 *       still holds open for writing waits for a later poll (via {@code source.OpenWriters}). It also holds back
 *       request files whose transfer waits aside ({@link ServerAwayFiles}) and drops whose filing failed
 *       ({@link FilingTrouble}: a full disk, a file in the way; 1 s doubling to 60 s, one WARN as the waits grow,
 *       instead of a try and a stack trace every poll).</li>
 *   <li>{@link InboxLinks}: a link dropped into the upload inbox is refused unless links are followed, and then its
 *       target must be a regular file.</li>
 *   <li>{@link DropUnchanged}: the upload route's last step before {@code .done/}: the drop must still be the
 *       version the server has, or it is uploaded again once it settles. {@link DoneFolder}: an earlier drop of the
 *       same name in {@code .done/} is renamed aside with its time, not replaced.</li>
 *   <li>{@link RequestFileDone}: the request inbox's move to {@code .done/}, which its consumer leaves to the route
 *       ({@code noop}, not idempotent), made only when the file is still the version that was read (size, time,
 *       identity). A request file replaced under its name while the first ran stays for the next poll; if the
 *       request that ran failed, it alone is handled as failed ({@code inbox.DropOutcomes.replacedRequest}) and
 *       goes to {@code .failed/} as it was read, beside its reason.</li>
 * </ul>
 */
package dev.ferry.camel;
