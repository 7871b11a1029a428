/**
 * {@code ferry get} and {@code ferry put} on picocli: one transfer (or one folder with {@code -r}) on its own engine,
 * without booting Camel.
 *
 * <ul>
 *   <li>{@link Cli}: the entry, error lines and exit codes. {@link QuickLine} reads the common
 *       {@code get|put [-q] [-v] [-c] [--ledger DIR] A B} without picocli, whose classes a class-data-sharing archive
 *       cannot hold; any other form goes to picocli, which stays the one definition of the command line.</li>
 *   <li>{@link FerryCommand} ({@code --version}, help), {@link TransferCommand} + {@link GetCommand}/{@link PutCommand}
 *       (options to a server profile and a request), {@link Converters} (sizes, counts), {@link FtpUrl}
 *       ({@code ftp://} and {@code ftps://} URLs parsed by hand, the password never shown).</li>
 *   <li>{@link TransferRun}: one transfer on its own engine ({@code TransferEngine.run}), or a tree for
 *       {@code get -r}/{@code put -r} ({@code --relist}). {@link CtrlC} is its Ctrl-C/SIGTERM hook: a clean cancel the
 *       next run resumes, removed however the transfer ends.</li>
 *   <li>{@link ProgressBar} + {@link Terminal}: a bar only when stderr itself is a terminal; plain lines
 *       otherwise.</li>
 *   <li>{@link CliLogging} + {@link NoLogging}: without {@code --verbose} a {@code ferry.jar} process binds SLF4J to
 *       its no-op provider, so logback never starts.</li>
 *   <li>{@link RememberedProbes}: the upload probe's answers kept in the command's ledger for an hour.
 *       {@link LedgerDisk} and {@link CliLedgerException}: a ledger that cannot be opened or stops taking writes, with
 *       what to do about it.</li>
 *   <li>{@link ExitCode}: the documented codes (0 done, 1 failed, 2 usage, 3 local, 4 login, 5 not found, 6 exists,
 *       7 refused, 130 cancelled). A {@code get} of a remote folder without {@code -r}
 *       ({@code ftp.RemoteFolderException}) is 2, "use get -r"; a target that exists and is kept, either direction
 *       ({@code transfer.UploadTargetExistsException}, a {@code LocalFileException} that {@code isTargetExists}), is
 *       6. {@link UsageException}: the command line itself is wrong.</li>
 *   <li>{@link StartTrace} ({@code -Dferry.trace}): a line per phase of a run with its wall and CPU time, for start-up
 *       work.</li>
 * </ul>
 *
 * <h2>Start-up and JIT</h2>
 * {@code bin/ferry} runs the jar with a class-data-sharing archive its first run makes (that run's JVM beside the
 * launcher, which passes every stop on to it as SIGTERM). {@code get}/{@code put}, a folder's included, run with C2
 * compiling only methods that stay hot ({@code cli_jit}): of the C2 settings measured, the least CPU for folders of 1,000-3,000 files too (the service's
 * inlining took 1.1-1.3 times as much, the JVM's defaults 1.35-1.9).
 */
package dev.ferry.cli;
