/**
 * What to move and how: the request a drop, a request file, a queue message, the API or the command line turns into,
 * and the rules every name in it must pass.
 *
 * <ul>
 *   <li>{@link TransferRequest} + {@link TransferOptions}: one file to move, with {@link Direction} and
 *       {@link FileExist} (named as camel-file's {@code fileExist}; the default, FAIL, never replaces a file unasked).
 *       It holds no secret, so it is stored in the ledger as JSON for recovery and logged as it is.
 *       <ul>
 *         <li>{@code readsNoLinks}: a tree's file and an inbox drop ({@code followLinks=false} unless
 *             {@code ferry.inbox.follow-links}) are opened by the upload planner with O_NOFOLLOW whenever they are
 *             planned, so a link swapped in after they were taken is refused, not read.</li>
 *         <li>{@code sourceRoot}: a folder's file is opened from the folder given, one name at a time, by
 *             {@code transfer.FolderFiles}, so no folder on the way is followed through a link.</li>
 *         <li>{@code tree}: the folder transfer a file belongs to (not part of its id).</li>
 *       </ul></li>
 *   <li>{@link TransferIds}: stable ids; the same file, direction, server and target always get the same id, so a
 *       request sent again finds its earlier run.</li>
 *   <li>{@link Fingerprint}: size and modification time; a different one on resume means the source changed and
 *       partial data must not be spliced onto it.</li>
 *   <li>{@link PathGuard} (invariant 5): no name escapes its directory; a bad name is refused
 *       ({@link UnsafePathException}), never "cleaned up" into another.</li>
 *   <li>{@link Requests}: request JSON, read with Jackson; written by {@link RequestJson} without it, since a
 *       command-line run writes a request and never reads one.</li>
 *   <li>{@link Urls}: a URL's password masked, for the command line and for a request field that may not be a
 *       URL.</li>
 * </ul>
 */
package dev.ferry.plan;
