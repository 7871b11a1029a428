/**
 * The jar's entry point and the few helpers every package shares.
 *
 * <ul>
 *   <li>{@link Ferry}: the jar's main. {@code get}, {@code put}, {@code help} and {@code --version} go to the
 *       command line ({@code dev.ferry.cli}); no arguments start the service ({@code dev.ferry.service}).</li>
 *   <li>{@link Version}: the build's version, for {@code --version} and {@code /observe/info}.</li>
 *   <li>{@link DaemonThreads}: named daemon threads for Ferry's own pools, so they never keep the JVM alive and a
 *       thread dump says whose they are.</li>
 *   <li>{@link Printable} and the logback converter {@link PrintableMessage} ({@code %printableMsg} in
 *       logback.xml): control characters in a log line's message, and in the command line's own lines, are shown as
 *       Unicode escapes, so a file name cannot forge a log line.</li>
 * </ul>
 */
package dev.ferry;
