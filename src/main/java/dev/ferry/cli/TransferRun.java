package dev.ferry.cli;

import dev.ferry.Printable;
import dev.ferry.ftp.CapabilityProbe;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.LoggingListener;
import dev.ferry.progress.Units;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import dev.ferry.transfer.TransferResult;
import dev.ferry.tree.TreeFilter;
import dev.ferry.tree.TreeLimits;
import dev.ferry.tree.TreeResult;
import dev.ferry.tree.TreeRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/** One checked command line's transfer on its own engine and ledger: progress on err, the result line on out. */
final class TransferRun {
    /** In a pipe, a progress line at least this often even when little moved. */
    private static final Duration PLAIN_EVERY = Duration.ofSeconds(5);

    private final ServerProfile profile;
    private final PrintStream out;
    private final PrintStream err;
    private boolean relist;

    TransferRun(ServerProfile profile, PrintStream out, PrintStream err) {
        this.profile = profile;
        this.out = out;
        this.err = err;
    }

    int run(TransferRequest request, Path ledgerDir, boolean quiet, boolean verbose) {
        NoLogging.bindIfQuiet(verbose);
        Runnable restoreLogging = CliLogging.install(verbose, err);
        try {
            return transfer(request, ledgerDir, quiet, verbose);
        } finally {
            // Logging belongs to the process: run by ferry.jar (the process's own streams) the set-up stays until
            // the JVM exits, so a line from a thread still stopping cannot reach stdout; run with other streams
            // (tests, a program embedding the command line) it is undone here.
            if (out != System.out || err != System.err) {
                restoreLogging.run();
            }
        }
    }

    /** get -r --relist: list the remote tree again even when an unfinished run of it left its listing. */
    TransferRun relist(boolean relist) {
        this.relist = relist;
        return this;
    }

    /** A folder (get -r / put -r): one line per file refused or failed on err, the counts on out. */
    int runTree(Direction direction, String remoteRoot, Path localRoot, TransferOptions options, Path ledgerDir,
                boolean quiet, boolean verbose, TreeFilter filter) {
        NoLogging.bindIfQuiet(verbose);
        Runnable restoreLogging = CliLogging.install(verbose, err);
        try (Opened opened = open(ledgerDir, Duration.ofMillis(1000), true)) {
            TransferEngine engine = opened.engine();
            if (verbose) {
                engine.addListener(new LoggingListener());
            }
            TreeRun run = new TreeRun(engine, profile.name(), TreeLimits.DEFAULTS).relist(relist);
            TreeResult r;
            try (CtrlC ignored = CtrlC.stops(engine, err)) {
                r = direction == Direction.DOWNLOAD ? run.download(remoteRoot, localRoot, options, filter)
                        : run.upload(localRoot, remoteRoot, options, filter);
            }
            r.problems().forEach(line -> err.println("ferry: " + Printable.of(line)));
            int untold = r.failed() + r.refused() - r.problems().size();
            if (untold > 0) {
                err.println("ferry: ... and " + untold + " more (see the log with -v)");
            }
            if (!quiet || !r.complete()) {
                out.println((r.complete() ? "done: " : "incomplete: ") + r.files() + " files, " + r.transferred()
                        + " transferred (" + Units.bytes(r.bytesMoved()) + ", each verified), " + r.skipped()
                        + " skipped as unchanged, " + r.failed() + " failed, " + r.refused() + " refused"
                        + (r.deleted() > 0 ? ", " + r.deleted() + " deleted locally" : ""));
            }
            return r.complete() ? ExitCode.DONE.code : ExitCode.FAILED.code;
        } catch (java.io.InterruptedIOException e) {
            return ExitCode.CANCELLED.code; // CtrlC said so
        } catch (java.io.IOException | RuntimeException e) {
            err.println("ferry: " + Printable.of(Objects.toString(e.getMessage(), e.toString())));
            ExitCode code = ExitCode.of(e);
            if (code == ExitCode.FAILED && e instanceof java.nio.file.FileSystemException) {
                code = ExitCode.LOCAL; // the local folder given (under a file, not writable): not the network's
            }
            return code.code;
        } finally {
            if (out != System.out || err != System.err) {
                restoreLogging.run();
            }
        }
    }

    private int transfer(TransferRequest request, Path ledgerDir, boolean quiet, boolean verbose) {
        boolean terminal = !quiet && Terminal.isTerminal(err);
        try (Opened opened = open(ledgerDir, Duration.ofMillis(terminal ? 250 : 1000), false)) {
            StartTrace.mark("ledger and engine open");
            TransferEngine engine = opened.engine();
            if (!quiet) {
                engine.addListener(new ProgressBar(err, terminal, PLAIN_EVERY));
            }
            if (verbose) {
                engine.addListener(new LoggingListener());
            }
            TransferResult result;
            try (CtrlC ignored = CtrlC.stops(engine, err)) {
                result = engine.run(request);
                StartTrace.mark("transfer done");
            } catch (TransferFailedException e) {
                if (request.direction() == Direction.UPLOAD) {
                    // Perhaps the server no longer does what its remembered answers say: the next run asks it again.
                    opened.probes().forget(profile);
                }
                throw e;
            }
            if (!quiet && result.skipped()) {
                out.println("kept: " + Printable.of(result.published().toString())
                        + " exists and was left as it is (--file-exist ignore); nothing was sent");
            } else if (!quiet) {
                out.println("done: " + Printable.of(result.published().toString()) + " ("
                        + Units.bytes(result.size()) + ", verified by "
                        + result.verification() + (result.bytesResumed() > 0 ? ", resumed with "
                        + Units.bytes(result.bytesResumed()) + " already there" : "") + ")");
            }
            return ExitCode.DONE.code;
        } catch (TransferFailedException e) {
            String disk = LedgerDisk.problem(e, ledgerDir);
            if (disk != null && ExitCode.of(e) != ExitCode.CANCELLED) {
                err.println("ferry: " + Printable.of(disk));
                return ExitCode.LOCAL.code;
            }
            if (ExitCode.of(e) != ExitCode.CANCELLED) { // else CtrlC said so
                String lease = LedgerDisk.lostLease(e, ledgerDir);
                err.println("ferry: " + Printable.of(lease != null ? lease : e.getMessage()));
            }
            return ExitCode.of(e).code;
        } catch (RuntimeException e) {
            String disk = LedgerDisk.problem(e, ledgerDir);
            if (disk != null) {
                err.println("ferry: " + Printable.of(disk));
                return ExitCode.LOCAL.code;
            }
            err.println("ferry: " + Printable.of(Objects.toString(e.getMessage(), e.toString())));
            return ExitCode.of(e) == ExitCode.FAILED && e instanceof IllegalArgumentException
                    ? ExitCode.USAGE.code : ExitCode.of(e).code;
        }
    }

    /**
     * The ledger and an engine on it. Every run needs one session to plan with: its login (connect, greeting, PAM on
     * vsftpd, TLS) starts first, on a thread of the pool's, and runs while H2 opens the ledger, so neither waits for
     * the other.
     *
     * @param tree a folder's many files share a pool of ledger connections; one file needs none
     *             ({@link JdbcLedger#h2ForOneFile})
     */
    private Opened open(Path ledgerDir, Duration progressInterval, boolean tree) {
        RememberedProbes probes = new RememberedProbes(Clock.systemUTC());
        SessionPool pool = new SessionPool(new CapabilityProbe(probes));
        pool.prewarm(profile, 1);
        StartTrace.mark("login started");
        JdbcLedger ledger = null;
        try {
            ledger = tree ? JdbcLedger.h2ForOneCommand(ledgerDir) : JdbcLedger.h2ForOneFile(ledgerDir);
            StartTrace.mark("ledger opened");
            probes.attach(ledger.serverNotes());
            return new Opened(ledger, new TransferEngine(ledger, pool, new ServerProfiles().add(profile),
                    TransferOptions.none(), progressInterval), probes);
        } catch (RuntimeException | Error e) {
            pool.close();
            if (ledger != null) {
                probes.detach();
                ledger.close();
            }
            if (e instanceof dev.ferry.ledger.LedgerException l) {
                throw withAdvice(l, ledgerDir);
            }
            throw e;
        }
    }

    /** A ledger the command cannot open: what the person running it can do, with this command's option. */
    private static CliLedgerException withAdvice(dev.ferry.ledger.LedgerException l, Path ledgerDir) {
        return switch (l.kind()) {
            case IN_USE -> new CliLedgerException(l.getMessage() + " (a ledger serves one ferry command at a time): wait"
                    + " for that command to end, or give this one a ledger of its own with --ledger DIR (a ledger"
                    + " resumes only the transfers begun with it)", l, false);
            case LOCAL_FOLDER -> new CliLedgerException(l.getMessage() + ": choose a folder Ferry may create or write"
                    + " with --ledger DIR (default ~/.ferry/cli-ledger)", l, true);
            case DATABASE -> new CliLedgerException(l.getMessage() + ": if the ledger " + ledgerDir + " is damaged,"
                    + " move it away (its unfinished transfers then start over) or choose another with --ledger DIR",
                    l, false);
        };
    }

    private record Opened(JdbcLedger ledger, TransferEngine engine, RememberedProbes probes) implements AutoCloseable {
        @Override
        public void close() {
            try {
                engine.close();
            } finally {
                StartTrace.mark("engine closed");
                probes.detach();
                ledger.close();
                StartTrace.mark("ledger closed");
            }
        }
    }
}
