/**
 * Every drop answered: where an inbox file ends up ({@code .done/}, {@code .failed/} with a reason,
 * {@code .cancelled/}), and the drops the file consumers never take.
 *
 * <ul>
 *   <li>{@link OddDrops}: a timer in routes/upload-drops.yaml takes what the file consumer never takes. A settled
 *       folder is uploaded as a tree through {@link FolderUploads} (the service's is {@code tree.InboxTrees}) and
 *       moved to {@code .done/} ({@link DoneDrops}), or to {@code .failed/} with the files that failed; while the
 *       service is stopping ({@code stoppingWhen}) it stays for the next start. A name that is not UTF-8 or has a
 *       backslash, and a symbolic link to a folder or to nothing, go to {@code .failed/} with a reason. A drop whose
 *       move the system refuses is answered once by a reason file and moved when it can be.
 *       {@code OddDrops.ofRequests}, on a timer in routes/download-requests.yaml, does the same for {@code *.json}
 *       names in the request inbox (where {@code camel.RequestFiles} refuses links, FIFOs and devices before a byte is
 *       read).</li>
 *   <li>{@link FailedDrops}: {@code freeName}: an earlier failed drop of a name keeps it, a later one takes
 *       {@code <name>.2}, {@code .3}, ...; the routes' moveFailed, folder drops and cancelled drops given up all take
 *       their name there. {@link ReasonFiles}: {@code <name>.error.txt}, shortened with a hash when the name is too
 *       long for 255 bytes.</li>
 *   <li>{@link CancelledDrops}: a cancelled upload drop waits in {@code .cancelled/} to be resumed or given up. A
 *       later drop of its name, cancelled too ({@code makeRoom}) or sent ({@code supersededBy}, through
 *       {@link UploadDone}, the upload route's last step, which also sets an earlier {@code .done/} copy aside), sends
 *       it to {@code .failed/} with a reason instead of replacing or stranding it.</li>
 *   <li>{@link DropOutcomes}: the inbox routes' {@code ferryDrops} bean.
 *       <ul>
 *         <li>{@code doneTarget}, the upload route's move: files the drop in {@code .done/} itself by a link and an
 *             unlink, which never replace a file, because Camel's move deletes its target first and a node frozen
 *             after its look deleted another node's filing of the drop.</li>
 *         <li>{@code failedTarget}, the routes' moveFailed: the name the reason file was written for. A failure
 *             their onException never saw has no reason file (a stop that runs out of time makes Camel refuse the
 *             exchange's next step outside any error handler), so while the service or the inbox route stops the
 *             drop is not moved (it stays for the next start; a request whose download was published goes to
 *             {@code .done/}); otherwise its reason is written there.</li>
 *         <li>{@code replacedRequest}: a request file replaced under its name while it ran; the consumer moves
 *             nothing and the request that ran is filed as it was read.</li>
 *         <li>{@code rollbackLog}, the consumers' onCompletionExceptionHandler, keeps the refused move out of the
 *             log.</li>
 *       </ul></li>
 * </ul>
 */
package dev.ferry.inbox;
