package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.FilterReply;
import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.Units;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import dev.ferry.transfer.TransferResult;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * {@code ferry get|put}: one transfer on the engine, without booting the Camel service, so it starts fast.
 * Run again after an interruption, it resumes from the ledger.
 */
public final class Cli {
    static final String USAGE = """
            usage:
              java -jar ferry.jar get [options] ftp://user[:password]@host[:port]/remote/path local-path
              java -jar ferry.jar put [options] local-path ftp://user[:password]@host[:port]/remote/path
              (ftps:// for explicit TLS; a local-path that is a directory keeps the remote name, and a remote
               path ending in / keeps the local name)

            options:
              --segments N              connections for this file (default 4)
              --min-segment-size SIZE   split only into segments of at least SIZE (default 8M)
              --checkpoint SIZE         record progress at least every SIZE per segment (default 4M)
              --fallback-charset NAME   charset for file names when the server has no UTF-8, e.g. GBK
              --password-env VAR        take the password from environment variable VAR
              --ledger DIR              where resume state is kept (default ~/.ferry/cli-ledger)
              --trust-store FILE        PKCS12 trust store for ftps:// (--trust-store-password-env VAR)
              --upload-strategy S       auto, parallel, sequential or restart (default auto: probed)
              --rate-limit SIZE         bytes per second for the whole transfer (default unlimited)
              --connect-timeout SEC     (default 10)      --timeout SEC   control and data reads (default 30)
              --retries N               tries in a row without progress before giving up (default 8)
              --outage-wait SEC         wait this long for a server that cannot be reached (default 60)
              --no-overwrite            fail instead of replacing an existing file
              --no-checksum             verify by size only, without the server's hash (weaker; saves
                                        hashing the file on both sides where the CPU is the limit)
              --no-epsv                 use PASV only
              --quiet                   no progress output      --verbose   engine log lines on stderr
            SIZE takes K, M or G suffixes (powers of 1024).

            exit codes:
            """;

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Invocation inv;
        try {
            inv = Invocation.parse(args);
        } catch (UsageException e) {
            err.println("ferry: " + e.getMessage());
            err.println("run 'java -jar ferry.jar --help' for usage");
            return ExitCode.USAGE.code;
        } catch (dev.ferry.plan.UnsafePathException e) {
            // A name that would climb out of the target directory (or a control character in it): refused as given.
            err.println("ferry: " + e.getMessage());
            return ExitCode.of(e).code;
        } catch (IllegalArgumentException e) {
            // Anything else the command line's values are refused with (a server profile's checks, a local path
            // the file system cannot name): still the command line, so a usage error rather than a stack trace.
            err.println("ferry: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.println("run 'java -jar ferry.jar --help' for usage");
            return ExitCode.USAGE.code;
        }
        if (inv.help) {
            out.print(usage());
            return ExitCode.DONE.code;
        }
        Runnable restoreLogging = cliLogging(inv.verbose, err);
        try {
            return transfer(inv, out, err);
        } finally {
            // Logging belongs to the process: run by ferry.jar (the process's own streams) the set-up stays until
            // the JVM exits, so a line from a thread still stopping cannot reach stdout; run with other streams
            // (tests, a program embedding the command line) it is undone here.
            if (out != System.out || err != System.err) {
                restoreLogging.run();
            }
        }
    }

    private static int transfer(Invocation inv, PrintStream out, PrintStream err) {
        try (JdbcLedger ledger = JdbcLedger.h2(inv.ledgerDir);
             TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(inv.profile),
                     TransferOptions.none(), Duration.ofMillis(inv.terminal() ? 250 : 1000))) {
            if (!inv.quiet) {
                engine.addListener(new ProgressBar(err, inv.terminal(), Duration.ofSeconds(5)));
            }
            if (inv.verbose) {
                engine.addListener(new dev.ferry.progress.LoggingListener());
            }
            // Every run needs one session to plan: its login overlaps recording the request (JSON, the first SQL).
            engine.pool().prewarm(inv.profile, 1);
            Thread main = Thread.currentThread();
            Thread hook = new Thread(() -> {
                // Ctrl-C: stop the segments so the ledger records a clean cancel; the next run resumes.
                engine.active().forEach(t -> engine.cancel(t.id()));
                main.interrupt();
            });
            Runtime.getRuntime().addShutdownHook(hook);
            TransferResult result = engine.run(inv.request);
            Runtime.getRuntime().removeShutdownHook(hook);
            if (!inv.quiet) {
                out.println("done: " + result.published() + " (" + Units.bytes(result.size()) + ", verified by "
                        + result.verification() + (result.bytesResumed() > 0 ? ", resumed with "
                        + Units.bytes(result.bytesResumed()) + " already there" : "") + ")");
            }
            return ExitCode.DONE.code;
        } catch (TransferFailedException e) {
            err.println("ferry: " + e.getMessage());
            return ExitCode.of(e).code;
        } catch (RuntimeException e) {
            err.println("ferry: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return ExitCode.of(e) == ExitCode.FAILED && e instanceof IllegalArgumentException
                    ? ExitCode.USAGE.code : ExitCode.of(e).code;
        }
    }

    static String usage() {
        StringBuilder b = new StringBuilder(USAGE);
        for (ExitCode c : ExitCode.values()) {
            b.append(String.format(Locale.ROOT, "  %-4d %s%n", c.code, c.meaning));
        }
        return b.toString();
    }

    /**
     * The engine's log lines are the service's. On the command line the progress bar, the {@code done:} line and
     * the one error line say what happened, so without {@code --verbose} nothing is logged at all; with it the log
     * lines (as the logging configuration formats them) go to {@code err}, next to the bar, and stdout keeps only
     * the command's own lines. Returns what undoes it.
     */
    static Runnable cliLogging(boolean verbose, PrintStream err) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return () -> { };
        }
        if (!verbose) {
            TurboFilter silence = new TurboFilter() {
                @Override
                public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level,
                        String format, Object[] params, Throwable t) {
                    return FilterReply.DENY;
                }
            };
            silence.setName("ferry-cli-silence");
            silence.setContext(context);
            silence.start();
            context.addTurboFilter(silence);
            return () -> context.getTurboFilterList().remove(silence);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        String pattern = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (a instanceof ConsoleAppender<ILoggingEvent> console) {
                consoles.add(console);
                if (console.getEncoder() instanceof PatternLayoutEncoder encoder && encoder.getPattern() != null) {
                    pattern = encoder.getPattern();
                }
            }
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> toErr = new OutputStreamAppender<>();
        toErr.setName("ferry-cli-stderr");
        toErr.setContext(context);
        toErr.setEncoder(encoder);
        toErr.setOutputStream(new FilterOutputStream(err) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // err is the caller's: the appender stopping must not close it
            }
        });
        toErr.start();
        root.addAppender(toErr);
        consoles.forEach(root::detachAppender);
        return () -> {
            consoles.forEach(root::addAppender);
            root.detachAppender(toErr);
            toErr.stop();
        };
    }

    /** A parsed command line. */
    static final class Invocation {
        boolean help;
        boolean quiet;
        boolean verbose;
        Path ledgerDir = Path.of(System.getProperty("user.home"), ".ferry", "cli-ledger");
        ServerProfile profile;
        TransferRequest request;

        boolean terminal() {
            return System.console() != null;
        }

        static Invocation parse(String[] args) {
            Invocation inv = new Invocation();
            if (args.length == 0) {
                throw new UsageException("get or put expected");
            }
            if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
                inv.help = true;
                return inv;
            }
            Direction direction = switch (args[0]) {
                case "get" -> Direction.DOWNLOAD;
                case "put" -> Direction.UPLOAD;
                default -> throw new UsageException("unknown command '" + args[0] + "': get or put expected");
            };
            List<String> positional = new ArrayList<>();
            TransferOptions options = TransferOptions.none();
            String passwordEnv = null;
            String trustStorePasswordEnv = null;
            Path trustStore = null;
            Charset fallback = null;
            boolean epsv = true;
            int connectTimeout = 10;
            int timeout = 30;
            int outageWait = 60;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    positional.add(a);
                    continue;
                }
                switch (a) {
                    case "--help" -> inv.help = true;
                    case "--quiet" -> inv.quiet = true;
                    case "--verbose" -> inv.verbose = true;
                    case "--no-overwrite" -> options = new TransferOptions(options.segments(),
                            options.minSegmentSize(), options.checkpointBytes(), options.checkpointMillis(),
                            options.uploadStrategy(), options.verifyChecksum(), options.rateLimit(),
                            options.maxAttempts(), false);
                    case "--no-checksum" -> options = new TransferOptions(options.segments(),
                            options.minSegmentSize(), options.checkpointBytes(), options.checkpointMillis(),
                            options.uploadStrategy(), false, options.rateLimit(), options.maxAttempts(),
                            options.overwrite());
                    case "--no-epsv" -> epsv = false;
                    case "--segments" -> options = options.withSegments(positiveInt(a, value(args, ++i, a)));
                    case "--min-segment-size" -> options = options.withMinSegmentSize(size(a, value(args, ++i, a)));
                    case "--checkpoint" -> options = options.withCheckpointBytes(size(a, value(args, ++i, a)));
                    case "--rate-limit" -> options = options.withRateLimit(size(a, value(args, ++i, a)));
                    case "--retries" -> options = options.withMaxAttempts(positiveInt(a, value(args, ++i, a)));
                    case "--upload-strategy" -> options = options.withUploadStrategy(strategy(value(args, ++i, a)));
                    case "--fallback-charset" -> fallback = charset(value(args, ++i, a));
                    case "--password-env" -> passwordEnv = value(args, ++i, a);
                    case "--trust-store" -> trustStore = Path.of(value(args, ++i, a));
                    case "--trust-store-password-env" -> trustStorePasswordEnv = value(args, ++i, a);
                    case "--ledger" -> inv.ledgerDir = Path.of(value(args, ++i, a));
                    case "--connect-timeout" -> connectTimeout = positiveInt(a, value(args, ++i, a));
                    case "--timeout" -> timeout = positiveInt(a, value(args, ++i, a));
                    case "--outage-wait" -> outageWait = positiveInt(a, value(args, ++i, a));
                    default -> throw new UsageException("unknown option " + a);
                }
            }
            if (inv.help) {
                return inv;
            }
            if (positional.size() != 2) {
                throw new UsageException(args[0] + " takes two arguments, " + positional.size() + " given");
            }
            String urlText = direction == Direction.DOWNLOAD ? positional.get(0) : positional.get(1);
            String localText = direction == Direction.DOWNLOAD ? positional.get(1) : positional.get(0);
            FtpUrl url = FtpUrl.parse(urlText);
            Secret password = url.password();
            if (passwordEnv != null) {
                String fromEnv = System.getenv(passwordEnv);
                if (fromEnv == null) {
                    throw new UsageException("environment variable " + passwordEnv + " (--password-env) is not set");
                }
                password = Secret.of(fromEnv);
            }
            Secret trustPassword = Secret.none();
            if (trustStorePasswordEnv != null) {
                trustPassword = Secret.of(System.getenv(trustStorePasswordEnv));
            }
            inv.profile = ServerProfile.builder(url.user() + "@" + url.host() + ":" + url.port())
                    .host(url.host()).port(url.port()).user(url.user()).password(password).tls(url.tls())
                    .trustStore(trustStore).trustStorePassword(trustPassword).epsv(epsv)
                    .fallbackCharset(fallback)
                    .connectionLimit(Math.max(1, options.segments() == null ? 4 : options.segments()))
                    .connectTimeout(Duration.ofSeconds(connectTimeout)).soTimeout(Duration.ofSeconds(timeout))
                    .dataTimeout(Duration.ofSeconds(timeout)).outageWait(Duration.ofSeconds(outageWait)).build();
            Path local = Path.of(localText).toAbsolutePath().normalize();
            String remote = PathGuard.remoteAbsolute(url.path());
            if (direction == Direction.DOWNLOAD && Files.isDirectory(local)) {
                local = PathGuard.localInside(local, PathGuard.remoteName(remote));
            }
            if (direction == Direction.UPLOAD && remote.endsWith("/")) {
                remote = PathGuard.remoteInside(remote, local.getFileName().toString());
            }
            inv.request = new TransferRequest(direction, inv.profile.name(), remote, local.toString(), options);
            return inv;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }

        private static int positiveInt(String option, String v) {
            try {
                int n = Integer.parseInt(v);
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException(option + " takes a whole number of at least 1, not '" + v + "'");
            }
        }

        static long size(String option, String v) {
            String s = v.trim().toUpperCase(Locale.ROOT);
            long unit = 1;
            if (s.endsWith("K") || s.endsWith("M") || s.endsWith("G")) {
                unit = switch (s.charAt(s.length() - 1)) {
                    case 'K' -> 1L << 10;
                    case 'M' -> 1L << 20;
                    default -> 1L << 30;
                };
                s = s.substring(0, s.length() - 1);
            }
            try {
                long n = Long.parseLong(s);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n * unit;
            } catch (NumberFormatException e) {
                throw new UsageException(option + " takes a size such as 512K, 8M or 1G, not '" + v + "'");
            }
        }

        private static UploadStrategy strategy(String v) {
            try {
                return UploadStrategy.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--upload-strategy takes auto, parallel, sequential or restart, not '"
                        + v + "'");
            }
        }

        private static Charset charset(String v) {
            try {
                return Charset.forName(v);
            } catch (RuntimeException e) {
                throw new UsageException("--fallback-charset: unknown charset '" + v + "'");
            }
        }
    }
}
