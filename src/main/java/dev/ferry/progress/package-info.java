/**
 * What listeners see of transfers and trees, and how events reach them.
 *
 * <ul>
 *   <li>{@link TransferListener}: paired events, after OkHttp's {@code EventListener}. A transfer ends, fails, is
 *       cancelled, or stops here ({@code transferStopped}: another node owns it now, or the process stops; not a
 *       failure). A segment ends, fails, or is given back ({@code segmentGivenBack}: a connection the server refused
 *       to an adaptive transfer; not a failure). A tree's {@code treeStarted}/{@code treeFinished} wrap its files'
 *       events.</li>
 *   <li>{@link TransferView} and {@link TreeView}: what listeners see of a transfer and a tree.</li>
 *   <li>{@link Listeners}: the fan-out, which shields transfers from a listener that throws.</li>
 *   <li>{@link LoggingListener}: one log line per event. {@link Units}: bytes, rates and durations for people.</li>
 * </ul>
 */
package dev.ferry.progress;
