package dev.ferry.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, external FTP server (vsftpd, proftpd or pure-ftpd) run as a foreground child process on
 * 127.0.0.1 for tests. Install the servers with {@code .ci/install-servers.sh} (root).
 *
 * <pre>{@code
 * ExternalFtpServer.assumeOrFail(ExternalFtpServer.VSFTPD);
 * try (ExternalFtpServer s = ExternalFtpServer.vsftpd(new ExternalFtpServer.Options().maxPerIp(2)).start()) {
 *     ftp.connect(s.host(), s.port()); ftp.login(s.user(), s.password()); ...
 * }
 * }</pre>
 *
 * <p>Every server runs in a fresh temp directory {@code base}: {@code base/root} is the directory served
 * as "/" (owned by the system user {@code ferrytest}), {@code base/etc} holds the generated config,
 * {@code base/log} the server's output and logs. How the login is mapped onto {@code base/root}:
 * <ul>
 * <li>vsftpd: PAM login of the system user {@code ferrytest}, {@code local_root=base/root},
 * {@code chroot_local_user=YES}.</li>
 * <li>proftpd: unix login of {@code ferrytest} (AuthOrder mod_auth_unix.c, reads /etc/shadow),
 * {@code DefaultRoot base/root} (an absolute path: the user's home /tmp is not used).</li>
 * <li>pure-ftpd: a virtual user {@code ferrytest} in a per-server PureDB ({@code pure-pw useradd -u
 * ferrytest -d base/root}, {@code -l puredb:base/etc/pureftpd.pdb}), mapped to the system uid/gid of
 * {@code ferrytest}; {@code -A} chroots it to base/root.</li>
 * </ul>
 *
 * <p>The server is started through {@code setsid}, so it leads its own session; {@link #close()} kills
 * every process of that session (the listener and the per-connection session processes that
 * vsftpd/proftpd/pure-ftpd fork, which outlive a killed listener) and deletes the temp directory.
 * A JVM shutdown hook closes servers a test forgot.
 *
 * <p>Needs root (the servers switch to user ferrytest and chroot).
 */
public final class ExternalFtpServer implements AutoCloseable {

    public static final String VSFTPD = "vsftpd";
    public static final String PROFTPD = "proftpd";
    public static final String PURE_FTPD = "pure-ftpd";
    public static final List<String> ALL = List.of(VSFTPD, PROFTPD, PURE_FTPD);

    public static final String USER = "ferrytest";
    public static final String PASSWORD = "ferrytest-pw";
    public static final String INSTALL_HINT = "run .ci/install-servers.sh as root to install vsftpd, proftpd, "
            + "pure-ftpd and the user " + USER;

    /** Where install-servers.sh unpacks proftpd and pure-ftpd; env FERRY_FTP_PREFIX overrides. */
    static final Path PREFIX = Path.of(Objects.requireNonNullElse(System.getenv("FERRY_FTP_PREFIX"), "/opt/ferry-ftp"));
    static final Path VSFTPD_BIN = Path.of("/usr/sbin/vsftpd");
    static final Path PROFTPD_HOME = PREFIX.resolve("proftpd");
    static final Path PROFTPD_BIN = PROFTPD_HOME.resolve("usr/sbin/proftpd");
    static final Path PURE_HOME = PREFIX.resolve("pure-ftpd");
    static final Path PURE_BIN = PURE_HOME.resolve("usr/sbin/pure-ftpd");
    static final Path PURE_PW_BIN = PURE_HOME.resolve("usr/bin/pure-pw");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int PASSIVE_PORTS = 16;
    private static final Set<ExternalFtpServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ExternalFtpServer::close),
                "external-ftp-server-cleanup"));
    }

    // ------------------------------------------------------------------------------------------ options

    /** Server options; each applies to the servers named in its doc and is ignored by the others. */
    public static final class Options {
        long ratePerConnection;            // bytes/s, 0 = unlimited
        int maxPerIp;                      // 0 = unlimited
        boolean allowStoreRestart = true;
        boolean lockUploadFiles = true;
        boolean utf8 = true;
        Path tlsCert;
        Path tlsKey;
        final List<String> extra = new ArrayList<>();

        /** Per-connection transfer rate limit. vsftpd local_max_rate (bytes/s); proftpd
         * {@code TransferRate RETR,STOR} and pure-ftpd {@code -T}, both in KiB/s (rounded, min 1). */
        public Options ratePerConnection(long bytesPerSecond) {
            if (bytesPerSecond < 0) throw new IllegalArgumentException("rate < 0");
            this.ratePerConnection = bytesPerSecond;
            return this;
        }

        /** Connections per client IP: vsftpd max_per_ip, proftpd MaxClientsPerHost, pure-ftpd -C. */
        public Options maxPerIp(int max) {
            if (max < 0) throw new IllegalArgumentException("maxPerIp < 0");
            this.maxPerIp = max;
            return this;
        }

        /** proftpd AllowStoreRestart (REST+STOR, APPE); default true. With false proftpd answers 451. */
        public Options allowStoreRestart(boolean allow) {
            this.allowStoreRestart = allow;
            return this;
        }

        /** vsftpd lock_upload_files; default true (the server's default: parallel STORs into one file
         * are serialised by a whole-file write lock). */
        public Options lockUploadFiles(boolean lock) {
            this.lockUploadFiles = lock;
            return this;
        }

        /** vsftpd utf8_filesystem (FEAT lists UTF8); default true. */
        public Options utf8(boolean utf8) {
            this.utf8 = utf8;
            return this;
        }

        /** vsftpd only: explicit FTPS (AUTH TLS) with this PEM certificate and key;
         * see {@link SelfSignedCertificate}. */
        public Options tls(Path certPem, Path keyPem) {
            this.tlsCert = Objects.requireNonNull(certPem);
            this.tlsKey = Objects.requireNonNull(keyPem);
            return this;
        }

        /** Escape hatch: an extra config line (vsftpd "key=value", proftpd directive) or, for pure-ftpd,
         * an extra command-line argument. */
        public Options extra(String lineOrArg) {
            this.extra.add(Objects.requireNonNull(lineOrArg));
            return this;
        }
    }

    // ------------------------------------------------------------------------------------ factories

    public static ExternalFtpServer vsftpd(Options options) {
        return new ExternalFtpServer(VSFTPD, options);
    }

    public static ExternalFtpServer proftpd(Options options) {
        return new ExternalFtpServer(PROFTPD, options);
    }

    public static ExternalFtpServer pureFtpd(Options options) {
        return new ExternalFtpServer(PURE_FTPD, options);
    }

    /** By name: "vsftpd", "proftpd" or "pure-ftpd". */
    public static ExternalFtpServer of(String name, Options options) {
        return new ExternalFtpServer(name, options);
    }

    /** Whether the server's binary (and for pure-ftpd pure-pw) is installed. */
    public static boolean available(String server) {
        switch (server) {
            case VSFTPD: return Files.isExecutable(VSFTPD_BIN);
            case PROFTPD: return Files.isExecutable(PROFTPD_BIN);
            case PURE_FTPD: return Files.isExecutable(PURE_BIN) && Files.isExecutable(PURE_PW_BIN);
            default: throw new IllegalArgumentException("unknown server " + server + "; one of " + ALL);
        }
    }

    /** What keeps {@code server} from running here, or null when it can run. */
    static String missing(String server) {
        List<String> problems = new ArrayList<>();
        if (!available(server)) problems.add(server + " is not installed");
        if (!userExists(USER)) problems.add("user " + USER + " does not exist");
        if (!isRoot()) problems.add("tests with external FTP servers must run as root");
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** Aborts the calling test (JUnit assumption) when the server cannot run here; fails it instead when
     * env CI=true, so CI cannot go green by skipping. */
    public static void assumeOrFail(String server) {
        String missing = missing(server);
        if (missing == null) return;
        String message = missing + ": " + INSTALL_HINT;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(message);
        Assumptions.abort(message);
    }

    // ------------------------------------------------------------------------------------------ state

    private final String name;
    private final Options options;
    private Path base;
    private Path root;
    private Path logDir;
    private int port;
    private int passiveMin;
    private Process process;
    private volatile boolean closed;

    private ExternalFtpServer(String name, Options options) {
        if (!ALL.contains(name)) throw new IllegalArgumentException("unknown server " + name + "; one of " + ALL);
        this.name = name;
        this.options = options == null ? new Options() : options;
        if (this.options.tlsCert != null && !VSFTPD.equals(name)) {
            throw new IllegalArgumentException("tls(...) is only implemented for vsftpd, not " + name);
        }
    }

    public String name() { return name; }
    public String host() { return "127.0.0.1"; }
    public int port() { check(); return port; }
    public String user() { return USER; }
    public String password() { return PASSWORD; }
    /** The directory served as "/" (owned by ferrytest). */
    public Path root() { check(); return root; }
    /** First and last passive data port. */
    public int passivePortMin() { check(); return passiveMin; }
    public int passivePortMax() { check(); return passiveMin + PASSIVE_PORTS - 1; }
    public Options options() { return options; }
    /** Directory with the server's stdout/stderr ({@code server.out}) and its own logs. */
    public Path logDir() { check(); return logDir; }

    @Override
    public String toString() {
        return name + (process == null ? "" : "@" + host() + ":" + port + " pid " + process.pid());
    }

    private void check() {
        if (process == null) throw new IllegalStateException(name + " not started");
    }

    // ------------------------------------------------------------------------------------------ start

    /** Starts the server and waits until its control port answers with a 220 banner. Retries with other
     * ports when they were taken meanwhile. Returns this. */
    public synchronized ExternalFtpServer start() {
        if (process != null) throw new IllegalStateException("already started");
        if (closed) throw new IllegalStateException("closed");
        String missing = missing(name);
        if (missing != null) throw new IllegalStateException(missing + ": " + INSTALL_HINT);
        LIVE.add(this);
        try {
            createDirectories();
            IllegalStateException last = null;
            for (int attempt = 1; attempt <= 3; attempt++) {
                port = freePort();
                passiveMin = freePortRange(PASSIVE_PORTS);
                try {
                    launch();
                    awaitBanner();
                    return this;
                } catch (IllegalStateException e) {
                    last = e;
                    killSession();
                    boolean portClash = logTail().toLowerCase(Locale.ROOT).matches("(?s).*(address already in use|could not bind|unable to bind).*");
                    if (!portClash) break;
                }
            }
            throw last;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("could not start " + name + "\n" + safeLogTail(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * An outage: kills the server and every session process (clients see their connections reset, new ones
     * refused), keeping its port, root and configuration for {@link #restart()}.
     */
    public synchronized void stop() {
        check();
        killSession();
    }

    /** Starts a {@link #stop() stopped} server again on the same port and root; waits for its 220 banner. */
    public synchronized ExternalFtpServer restart() {
        check();
        if (closed) throw new IllegalStateException("closed");
        if (process.isAlive()) throw new IllegalStateException(name + " is running; stop() it first");
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart " + name + "\n" + safeLogTail(), e);
        }
        awaitBanner();
        return this;
    }

    private void createDirectories() throws IOException {
        base = Files.createTempDirectory("ferry-" + name + "-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = Files.createDirectory(base.resolve("root"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(root, users.lookupPrincipalByName(USER));
        Files.getFileAttributeView(root, java.nio.file.attribute.PosixFileAttributeView.class)
                .setGroup(users.lookupPrincipalByGroupName(primaryGroup(USER)));
        Files.createDirectory(base.resolve("etc"));
        logDir = Files.createDirectory(base.resolve("log"));
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>();
        command.add("setsid"); // own session: close() kills the whole session, children included
        switch (name) {
            case VSFTPD -> command.addAll(List.of(VSFTPD_BIN.toString(), writeVsftpdConfig().toString()));
            case PROFTPD -> command.addAll(List.of(PROFTPD_BIN.toString(), "-n", "-c", writeProftpdConfig().toString()));
            case PURE_FTPD -> command.addAll(pureFtpdCommand());
            default -> throw new AssertionError(name);
        }
        Path out = logDir.resolve("server.out");
        Files.writeString(out, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(base.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        process = pb.start();
    }

    private Path writeVsftpdConfig() throws IOException {
        Options o = options;
        List<String> c = new ArrayList<>(List.of(
                "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1", "listen_port=" + port,
                "background=NO", "anonymous_enable=NO", "local_enable=YES", "write_enable=YES",
                "local_umask=022", "chroot_local_user=YES", "allow_writeable_chroot=YES",
                "local_root=" + root, "pam_service_name=vsftpd", "secure_chroot_dir=/var/run/vsftpd/empty",
                "pasv_enable=YES", "pasv_address=127.0.0.1", "pasv_min_port=" + passiveMin,
                "pasv_max_port=" + (passiveMin + PASSIVE_PORTS - 1), "seccomp_sandbox=NO",
                "utf8_filesystem=" + yes(o.utf8), "lock_upload_files=" + yes(o.lockUploadFiles),
                // With sendfile vsftpd's limiter lets downloads run ahead of the rate (5.9 MiB/s for 4 MiB/s).
                "local_max_rate=" + o.ratePerConnection, "use_sendfile=" + yes(o.ratePerConnection == 0),
                "max_per_ip=" + o.maxPerIp, "max_clients=0",
                "xferlog_enable=YES", "xferlog_std_format=NO", "log_ftp_protocol=YES",
                "vsftpd_log_file=" + logDir.resolve("vsftpd.log"), "dual_log_enable=NO",
                "ftpd_banner=ferry vsftpd test server"));
        if (o.tlsCert != null) {
            c.addAll(List.of("ssl_enable=YES", "rsa_cert_file=" + o.tlsCert.toAbsolutePath(),
                    "rsa_private_key_file=" + o.tlsKey.toAbsolutePath(), "allow_anon_ssl=NO",
                    "force_local_data_ssl=NO", "force_local_logins_ssl=NO"));
            // require_ssl_reuse is left at its default (YES)
        }
        c.addAll(o.extra);
        Path file = base.resolve("etc/vsftpd.conf");
        Files.write(file, c);
        return file;
    }

    private Path writeProftpdConfig() throws IOException {
        Options o = options;
        Path etc = base.resolve("etc");
        List<String> c = new ArrayList<>(List.of(
                "ServerName \"ferry proftpd test server\"", "ServerType standalone", "DefaultServer on",
                "DefaultAddress 127.0.0.1", "SocketBindTight on", "UseIPv6 off", "Port " + port,
                "PassivePorts " + passiveMin + " " + (passiveMin + PASSIVE_PORTS - 1),
                "User nobody", "Group nogroup", "MaxInstances 100",
                "PidFile " + etc.resolve("proftpd.pid"), "ScoreboardFile " + etc.resolve("proftpd.scoreboard"),
                "DelayTable none", "WtmpLog off", "UseReverseDNS off", "RequireValidShell off",
                "AuthOrder mod_auth_unix.c", "SystemLog " + logDir.resolve("proftpd.log"),
                "TransferLog " + logDir.resolve("xferlog"),
                "ModulePath " + PROFTPD_HOME.resolve("usr/lib/proftpd"),
                "ModuleControlsACLs insmod,rmmod allow user root",
                "LoadModule mod_digest.c", "DigestEngine on",
                "DefaultRoot " + root, "Umask 022", "AllowOverwrite on",
                "AllowStoreRestart " + onOff(o.allowStoreRestart), "AllowRetrieveRestart on"));
        if (o.ratePerConnection > 0) c.add("TransferRate RETR,STOR " + kib(o.ratePerConnection));
        if (o.maxPerIp > 0) c.add("MaxClientsPerHost " + o.maxPerIp);
        c.addAll(o.extra);
        Path file = etc.resolve("proftpd.conf");
        Files.write(file, c);
        return file;
    }

    private List<String> pureFtpdCommand() throws IOException {
        Options o = options;
        Path etc = base.resolve("etc");
        Path passwd = etc.resolve("pureftpd.passwd");
        Path pdb = etc.resolve("pureftpd.pdb");
        if (!Files.exists(pdb)) {
            run(List.of(PURE_PW_BIN.toString(), "useradd", USER, "-u", USER, "-g", primaryGroup(USER),
                    "-d", root.toString(), "-f", passwd.toString(), "-F", pdb.toString(), "-m"),
                    PASSWORD + "\n" + PASSWORD + "\n");
            fastPasswordHash(passwd, pdb);
        }
        List<String> c = new ArrayList<>(List.of(PURE_BIN.toString(),
                "-S", "127.0.0.1," + port, "-p", passiveMin + ":" + (passiveMin + PASSIVE_PORTS - 1),
                "-P", "127.0.0.1", "-l", "puredb:" + pdb, "-E", "-A", "-H", "-4", "-c", "100",
                "-U", "022:022", "-g", etc.resolve("pure-ftpd.pid").toString(),
                "-O", "clf:" + logDir.resolve("transfer.log")));
        if (o.ratePerConnection > 0) c.addAll(List.of("-T", Long.toString(kib(o.ratePerConnection))));
        if (o.maxPerIp > 0) c.addAll(List.of("-C", Integer.toString(o.maxPerIp)));
        c.addAll(o.extra);
        return c;
    }

    /**
     * pure-pw hashes with argon2/scrypt tuned to take seconds: every login then costs about 2.5 s here, and a
     * segmented transfer logs in several times. A SHA-512 crypt hash (what /etc/shadow holds) is checked at once.
     */
    private static void fastPasswordHash(Path passwd, Path pdb) throws IOException {
        String hash = run(List.of("openssl", "passwd", "-6", "-stdin"), PASSWORD + "\n").strip();
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
            String[] f = line.split(":", -1);
            if (f.length > 2 && f[0].equals(USER)) {
                f[1] = hash;
                line = String.join(":", f);
            }
            lines.add(line);
        }
        Files.write(passwd, lines, StandardCharsets.UTF_8);
        run(List.of(PURE_PW_BIN.toString(), "mkdb", pdb.toString(), "-f", passwd.toString()), null);
    }

    private void awaitBanner() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastProblem = "no connection attempt";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue()
                        + " before answering on " + host() + ":" + port + "\n" + logTail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host(), port), 1000);
                s.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("220 ")) return;
                    if (!line.startsWith("220-") && !line.startsWith(" ")) {
                        lastProblem = "banner line: " + line;
                        break;
                    }
                }
                if (line == null) lastProblem = "connection closed without a 220 banner";
            } catch (IOException e) {
                lastProblem = e.toString();
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS); // poll interval; returns early if it exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + name);
            }
        }
        throw new IllegalStateException(name + " did not answer with a 220 banner on " + host() + ":" + port
                + " within " + START_TIMEOUT.toSeconds() + " s (" + lastProblem + ")\n" + logTail());
    }

    // ------------------------------------------------------------------------------------------ logs

    /** The last lines of the server's output and log files, for failure messages. */
    public String logTail() {
        return logTail(40);
    }

    public String logTail(int linesPerFile) {
        if (logDir == null || !Files.isDirectory(logDir)) return "(no logs)";
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path f : files.sorted().toList()) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    lines = List.of("(unreadable: " + e + ")");
                }
                sb.append("---- ").append(name).append(' ').append(f.getFileName()).append(" (last ")
                        .append(Math.min(linesPerFile, lines.size())).append(" of ").append(lines.size())
                        .append(" lines) ----\n");
                lines.subList(Math.max(0, lines.size() - linesPerFile), lines.size())
                        .forEach(l -> sb.append(l).append('\n'));
            }
        } catch (IOException e) {
            sb.append("(cannot list ").append(logDir).append(": ").append(e).append(")\n");
        }
        return sb.toString();
    }

    private String safeLogTail() {
        try {
            return logTail();
        } catch (RuntimeException e) {
            return "(no logs: " + e + ")";
        }
    }

    // ------------------------------------------------------------------------------------------ close

    /** Kills the server and all its session processes and deletes its temp directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            killSession();
        } finally {
            LIVE.remove(this);
            if (base != null) deleteTree(base);
        }
    }

    /** The pids of the server's processes: every process in the session the server leads (setsid), plus
     * any descendant of the started process. Never the JVM's own session. */
    Set<Long> serverPids() {
        Set<Long> pids = new LinkedHashSet<>();
        if (process == null) return pids;
        long ownSid = sessionId(ProcessHandle.current().pid());
        Set<Long> sids = new LinkedHashSet<>();
        if (process.isAlive()) pids.add(process.pid());
        sids.add(process.pid());
        process.descendants().forEach(p -> {
            pids.add(p.pid());
            sids.add(sessionId(p.pid()));
        });
        sids.remove(ownSid);
        sids.remove(-1L);
        if (!sids.isEmpty()) {
            ProcessHandle.allProcesses().forEach(p -> {
                if (sids.contains(sessionId(p.pid()))) pids.add(p.pid());
            });
        }
        pids.remove(ProcessHandle.current().pid());
        return pids;
    }

    /**
     * Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to the server's processes other than the one started,
     * which for vsftpd are its sessions: {@code STOP} freezes every session as a hung server does, its sockets open and
     * nothing read, while new connections are still answered. Returns how many processes were signalled.
     */
    public int signalSessions(String signal) throws IOException, InterruptedException {
        Set<Long> pids = serverPids();
        if (process != null) {
            pids.remove(process.pid());
        }
        for (long pid : pids) {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        }
        return pids.size();
    }

    private void killSession() {
        if (process == null) return;
        Set<Long> pids = serverPids();
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM
        process.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline && pids.stream().anyMatch(ExternalFtpServer::alive)) {
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pids.addAll(serverPids()); // anything forked meanwhile
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !isZombie(pid);
    }

    private static boolean isZombie(long pid) {
        String stat = procStat(pid);
        if (stat == null) return true;
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    }

    /** Session id from /proc/PID/stat (field 6), -1 if unknown. */
    static long sessionId(long pid) {
        String stat = procStat(pid);
        if (stat == null) return -1;
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "comm)": state ppid pgrp session ...
        return f.length > 3 ? Long.parseLong(f[3]) : -1;
    }

    private static String procStat(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String yes(boolean b) { return b ? "YES" : "NO"; }
    private static String onOff(boolean b) { return b ? "on" : "off"; }
    private static long kib(long bytesPerSecond) { return Math.max(1, Math.round(bytesPerSecond / 1024.0)); }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || "0".equals(runQuietly("id", "-u"));
    }

    static boolean userExists(String user) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String primaryGroup(String user) {
        String g = runQuietly("id", "-gn", user);
        if (g == null || g.isEmpty()) throw new IllegalStateException("no primary group for " + user);
        return g;
    }

    private static String runQuietly(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Runs a helper command, feeding it {@code stdin}; throws with its output when it fails. */
    static String run(List<String> command, String stdin) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s.getLocalPort();
        }
    }

    /** First port of {@code count} consecutive ports that are all free now, from 20000-32767 (below the
     * Linux ephemeral range, so client sockets do not take them); a clash is retried by {@link #start()}. */
    static int freePortRange(int count) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(20000, 32768 - count);
            List<ServerSocket> held = new ArrayList<>();
            try {
                boolean ok = true;
                for (int p = first; p < first + count; p++) {
                    try {
                        ServerSocket s = new ServerSocket();
                        held.add(s);
                        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), p));
                    } catch (IOException busy) {
                        ok = false;
                        break;
                    }
                }
                if (ok) return first;
            } finally {
                for (ServerSocket s : held) s.close();
            }
        }
        throw new IOException("no free range of " + count + " ports");
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
