/**
 * Is a local source still the version that was sent? Used by the upload planner, the check before an upload's
 * rename, and the upload inbox.
 *
 * <ul>
 *   <li>{@link SourceState}: one version of a file: size, modification time, file identity (inode), a SHA-256 for
 *       small files, and the Linux change time that SHA-256 proves. Without a SHA-256 the change time itself counts,
 *       so a rewrite in place whose modification time was put back is still a change. The upload planner records
 *       that change time in the ledger ({@code source_ctime}) and starts over rather than resume a source whose
 *       change time moved between runs.</li>
 *   <li>{@link SourceCheck}: the check just before an upload's rename, and the wait for a changed file to settle.
 *       It reads the file again for its SHA-256 only when the change time moved since the planning hash. A file
 *       whose change time alone moved (a {@code chmod} looks like a rewrite that put size and time back) is still
 *       the version sent when {@link SameBytes} (given by {@code transfer.ServerCopy}) finds its bytes on the
 *       server.</li>
 *   <li>{@link OpenWriters}: from Linux {@code /proc}, whether a process still holds the file open for writing.</li>
 *   <li>{@link WriterSnapshot}: one {@code /proc} pass, shared: it answers for every file that last changed before
 *       it began, while it is under 0.5 s old ({@code OpenWriters.MAX_AGE_NANOS}). A file
 *       with more than one name is also compared by device and inode with every path the pass saw open, because
 *       {@code /proc} shows the name the writer opened. {@link Clocks} reads wall and monotonic time as one pair, so a thread
 *       descheduled between the two reads does not void the pass.</li>
 * </ul>
 *
 * The upload inbox uses them through {@code camel.NotBeingWritten} (its file filter, the service's
 * {@code ferryUploadFilter}, which passes drops already in the consumer's in-progress repository
 * {@code ferryUploadInProgress} without a look) and {@code camel.DropUnchanged} (its last step before
 * {@code .done/}).
 */
package dev.ferry.source;
