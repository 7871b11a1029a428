package dev.ferry.cli;

import dev.ferry.Printable;
import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.Direction;
import dev.ferry.plan.FileExist;
import dev.ferry.plan.PathGuard;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.ferry.tree.TreeFilter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * The options {@code get} and {@code put} share, and what they make: a server profile and a transfer request, run
 * by {@link TransferRun}. The subclasses only name their two arguments in their own order.
 */
abstract class TransferCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Option(names = {"-n", "--segments"}, paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "connections for this file, fixed (default: start with 4 and add more while each added one"
                    + " raises the rate, up to 16)")
    Integer segments;

    @Option(names = "--min-segment-size", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "split only into segments of at least SIZE (default 8M)")
    Long minSegmentSize;

    @Option(names = "--checkpoint", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "record progress at least every SIZE per segment (default 4M)")
    Long checkpoint;

    @Option(names = "--fallback-charset", paramLabel = "NAME", converter = Converters.CharsetName.class,
            description = "charset for file names when the server has no UTF-8, e.g. GBK")
    Charset fallbackCharset;

    @Option(names = "--password-env", paramLabel = "VAR", description = "take the password from environment variable VAR")
    String passwordEnv;

    @Option(names = "--ledger", paramLabel = "DIR", description = "where resume state is kept (default ~/.ferry/cli-ledger)")
    Path ledgerDir = Path.of(System.getProperty("user.home"), ".ferry", "cli-ledger");

    @Option(names = "--trust-store", paramLabel = "FILE", description = "PKCS12 trust store for ftps://")
    Path trustStore;

    @Option(names = "--trust-store-password-env", paramLabel = "VAR", description = "the trust store's password, from VAR")
    String trustStorePasswordEnv;

    @Option(names = "--upload-strategy", paramLabel = "S", converter = Converters.Strategy.class,
            description = "auto, parallel, sequential or restart (default auto: probed)")
    UploadStrategy uploadStrategy;

    @Option(names = "--rate-limit", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "bytes per second for the whole transfer (default unlimited)")
    Long rateLimit;

    @Option(names = "--connect-timeout", paramLabel = "SEC", converter = Converters.PositiveInt.class,
            description = "(default 10)")
    int connectTimeout = 10;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SEC", converter = Converters.PositiveInt.class,
            description = "control and data reads (default 30)")
    int timeout = 30;

    @Option(names = "--retries", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "tries in a row without progress before giving up (default 8)")
    Integer retries;

    @Option(names = "--outage-wait", paramLabel = "SEC", converter = Converters.PositiveInt.class,
            description = "wait this long for a server that cannot be reached (default 60)")
    int outageWait = 60;

    /** Set by --file-exist, --overwrite and --no-overwrite in the order they are given: the last one wins. */
    FileExist fileExist;

    @Option(names = "--file-exist", paramLabel = "MODE", converter = Converters.FileExistMode.class,
            description = "when the target exists: fail (default), override, ignore (keep it, move nothing) or"
                    + " tryrename (no check; the final rename never replaces)")
    void fileExist(FileExist mode) {
        fileExist = mode;
    }

    @Option(names = "--overwrite", description = "the same as --file-exist override")
    void overwrite(boolean on) {
        fileExist = FileExist.OVERRIDE;
    }

    @Option(names = "--no-overwrite", description = "the same as --file-exist fail")
    void noOverwrite(boolean on) {
        fileExist = FileExist.FAIL;
    }

    @Option(names = "--no-checksum", description = "verify by size only, without the server's hash (weaker; saves"
            + " hashing the file on both sides where the CPU is the limit)")
    boolean noChecksum;

    @Option(names = "--no-epsv", description = "use PASV only")
    boolean noEpsv;

    @Option(names = {"-r", "--recursive"}, description = "a whole folder: every file in it and below, one verified"
            + " transfer each; files unchanged on the other side (same size and time) are skipped (mirror)")
    boolean recursive;

    @Option(names = "--include", paramLabel = "GLOB", description = "with -r: only files matching GLOB (a name, or a"
            + " path below the root when it has a /); repeatable")
    java.util.List<String> include = new java.util.ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "with -r: no file matching GLOB; repeatable")
    java.util.List<String> exclude = new java.util.ArrayList<>();

    @Option(names = "--newer-than", paramLabel = "WHEN", description = "with -r: only files modified after WHEN"
            + " (2026-01-31, 2026-01-31T12:00:00Z, or an age such as 7d, 12h, 30m)")
    String newerThan;

    @Option(names = "--delete", description = "with get -r: delete local files the remote folder does not have"
            + " (off by default)")
    boolean delete;

    @Option(names = "--relist", description = "with get -r: list the remote folder again rather than resume an"
            + " unfinished run of the same tree from the listing it left in the ledger")
    boolean relist;

    @Option(names = {"-c", "--continue"}, description = "resume an interrupted transfer (always on; for curl and wget"
            + " habits)")
    boolean resume;

    @Option(names = {"-q", "--quiet"}, description = "no progress output")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "engine log lines on stderr")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    TransferCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    abstract Direction direction();

    /** The ftp:// or ftps:// argument, as typed. */
    abstract String urlText();

    /** The local path argument, as typed. */
    abstract String localText();

    @Override
    public Integer call() {
        // Everything the command line says is checked before anything is opened: a mistake is exit 2.
        FtpUrl url = FtpUrl.parse(urlText());
        if (localText().isBlank()) {
            // Path.of("") is the working folder: get '' wrote there under the remote name, put '' said "  is a folder".
            throw new UsageException("the local path is empty: name a file or a folder (. for the working folder)");
        }
        ServerProfile profile = profile(url);
        // get of a URL ending in / names a folder: no single file has that name, so it can only mean the tree.
        if (recursive || direction() == Direction.DOWNLOAD && url.path().endsWith("/")) {
            return tree(url, profile);
        }
        if (!include.isEmpty() || !exclude.isEmpty() || newerThan != null || delete || relist) {
            throw new UsageException("--include, --exclude, --newer-than, --delete and --relist are for a folder (-r)");
        }
        if (direction() == Direction.UPLOAD && Files.isDirectory(Path.of(localText()))) {
            // Else the planner's "does not exist or is not a regular file" (exit 3), where get says "use get -r".
            throw new UsageException(localText() + " is a folder: send it with put -r");
        }
        TransferRequest request = request(url, profile);
        return new TransferRun(profile, out, err).run(request, ledgerDir, quiet, verbose);
    }

    /** {@code -r}: the URL and the local path name the two roots; the files keep their relative paths below them. */
    private int tree(FtpUrl url, ServerProfile profile) {
        String remote = PathGuard.remoteAbsolute(url.path());
        Path local = Path.of(localText()).toAbsolutePath().normalize();
        if (direction() == Direction.UPLOAD && !Files.exists(local)) {
            // A local file problem, as put of a missing file is (exit 3), not a wrong command line.
            err.println("ferry: " + Printable.of(localText()) + " does not exist; nothing was sent");
            return ExitCode.LOCAL.code;
        }
        if (direction() == Direction.UPLOAD && !Files.isDirectory(local)) {
            throw new UsageException(localText() + " is a file, not a folder: put -r sends a folder, put sends a file");
        }
        if (direction() == Direction.DOWNLOAD && Files.exists(local) && !Files.isDirectory(local)) {
            throw new UsageException(localText() + " is a file; get -r needs a folder to write the tree into");
        }
        if (delete && direction() == Direction.UPLOAD) {
            throw new UsageException("--delete is for get -r only: put -r never deletes on the server");
        }
        TreeFilter filter;
        try {
            filter = new TreeFilter(include, exclude, newerThan == null ? null : when(newerThan), delete);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new TransferRun(profile, out, err).relist(relist).runTree(direction(), remote, local, options(),
                ledgerDir, quiet, verbose, filter);
    }

    /** --newer-than: a date (midnight UTC), an instant, or an age before now. */
    static java.time.Instant when(String text) {
        java.util.regex.Matcher age = java.util.regex.Pattern.compile("(\\d+)([dhms])").matcher(text.strip());
        try {
            if (age.matches()) {
                long n = Long.parseLong(age.group(1));
                Duration d = switch (age.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
                return java.time.Instant.now().minus(d);
            }
            if (text.contains("T")) {
                return java.time.Instant.parse(text.strip());
            }
            return java.time.LocalDate.parse(text.strip()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        } catch (RuntimeException e) {
            throw new UsageException("--newer-than " + text + ": not a date (2026-01-31), an instant"
                    + " (2026-01-31T12:00:00Z) or an age (7d, 12h, 30m, 10s)");
        }
    }

    private ServerProfile profile(FtpUrl url) {
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
            String fromEnv = System.getenv(trustStorePasswordEnv);
            if (fromEnv == null) {
                // Unset, it was an empty password, and the trust store's error blamed the password, not the name.
                throw new UsageException("environment variable " + trustStorePasswordEnv
                        + " (--trust-store-password-env) is not set");
            }
            trustPassword = Secret.of(fromEnv);
        }
        return ServerProfile.builder(url.user() + "@" + url.host() + ":" + url.port())
                .host(url.host()).port(url.port()).user(url.user()).password(password).tls(url.tls())
                .trustStore(trustStore).trustStorePassword(trustPassword).epsv(!noEpsv)
                .fallbackCharset(fallbackCharset)
                .connectionLimit(segments == null ? dev.ferry.transfer.TransferEngine.DEFAULT_SEGMENTS_MAX : segments)
                .connectTimeout(Duration.ofSeconds(connectTimeout)).soTimeout(Duration.ofSeconds(timeout))
                .dataTimeout(Duration.ofSeconds(timeout)).outageWait(Duration.ofSeconds(outageWait)).build();
    }

    private TransferRequest request(FtpUrl url, ServerProfile profile) {
        String remote = PathGuard.remoteAbsolute(url.path());
        Path local = Path.of(localText()).toAbsolutePath().normalize();
        if (direction() == Direction.DOWNLOAD && (Files.isDirectory(local) || localText().endsWith("/"))) {
            local = PathGuard.localInside(local, PathGuard.remoteName(remote));
        }
        if (direction() == Direction.UPLOAD && remote.endsWith("/")) {
            remote = PathGuard.remoteInside(remote, local.getFileName().toString());
        }
        return new TransferRequest(direction(), profile.name(), remote, local.toString(), options());
    }

    TransferOptions options() {
        TransferOptions o = TransferOptions.none();
        if (segments != null) {
            o = o.withSegments(segments);
        }
        if (minSegmentSize != null) {
            o = o.withMinSegmentSize(minSegmentSize);
        }
        if (checkpoint != null) {
            o = o.withCheckpointBytes(checkpoint);
        }
        if (rateLimit != null) {
            o = o.withRateLimit(rateLimit);
        }
        if (retries != null) {
            o = o.withMaxAttempts(retries);
        }
        if (uploadStrategy != null) {
            o = o.withUploadStrategy(uploadStrategy);
        }
        if (fileExist != null) {
            o = o.withFileExist(fileExist);
        }
        if (noChecksum) {
            o = o.withVerifyChecksum(false);
        }
        return o;
    }
}
