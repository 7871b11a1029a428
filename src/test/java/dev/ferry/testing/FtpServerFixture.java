package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.filesystem.nativefs.NativeFileSystemFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.TransferRatePermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * A real Apache FtpServer 1.2 in this JVM, on 127.0.0.1 and a free port, with one user whose home is a
 * fresh temporary directory. Like OkHttp's MockWebServer: one line to start, then inspect what it saw.
 *
 * <pre>{@code
 * try (FtpServerFixture ftp = FtpServerFixture.builder().maxLoginsPerIp(2).writeInPlace(true).start()) {
 *     ftp.write("in/big.bin", 64 << 20, 42);
 *     ... point the code under test at ftp.host(), ftp.port(), ftp.user(), ftp.password() ...
 *     assertEquals(Hashes.sha256(local), Hashes.sha256(ftp.file("in/big.bin")));
 * }
 * }</pre>
 *
 * Passive data connections use ports the kernel picks per PASV/EPSV (Apache's passive port "0"), so
 * parallel test JVMs never collide on a fixed range; {@link Builder#passivePorts} overrides that.
 */
public final class FtpServerFixture implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private FtpServer server;
    private Listener listener;
    private Builder builder;
    private final Path root;
    private final String user;
    private final String password;
    private final TransferCounters counters;
    private final SessionTracker sessions;
    private ConnectionCap connectionCap;

    private FtpServerFixture(FtpServer server, Listener listener, Path root, String user, String password,
            TransferCounters counters, SessionTracker sessions) {
        this.server = server;
        this.listener = listener;
        this.root = root;
        this.user = user;
        this.password = password;
        this.counters = counters;
        this.sessions = sessions;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return listener.getPort();
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /**
     * A profile named "test" for this server as the tests use it: its user, at most {@code connectionLimit}
     * connections, 5 s to connect and between bytes (a test fails in seconds, not at the defaults' minutes).
     */
    public dev.ferry.ftp.ServerProfile.Builder profile(int connectionLimit) {
        return dev.ferry.ftp.ServerProfile.builder("test").host(host()).port(port()).user(user()).password(password())
                .connectionLimit(connectionLimit).dataTimeout(java.time.Duration.ofSeconds(5))
                .soTimeout(java.time.Duration.ofSeconds(5)).connectTimeout(java.time.Duration.ofSeconds(5));
    }

    /** The user's home directory: "/" on the server. Writable; deleted by {@link #close()}. */
    public Path root() {
        return root;
    }

    /** The local path of a file on the server, e.g. {@code file("dir/a b.bin")} for "/dir/a b.bin". */
    public Path file(String relative) {
        Path resolved = root.resolve(stripLeadingSlashes(relative)).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("Outside the server root: " + relative);
        }
        return resolved;
    }

    /**
     * Puts {@code size} bytes of {@link PseudoRandomContent} for {@code seed} at {@code relative} on the
     * server, creating directories; returns its local path.
     */
    public Path write(String relative, long size, long seed) {
        return PseudoRandomContent.write(file(relative), size, seed);
    }

    /** Bytes the server read from its files for RETR, including transfers that broke off. */
    public long bytesSent() {
        return counters.sent();
    }

    /**
     * Each stream the server opened on a file for RETR since start or {@link #resetCounters()}, in the order opened:
     * where it began (the REST offset) and how many bytes the server read from the file for it.
     */
    public List<Read> reads() {
        return counters.reads();
    }

    /** One RETR's stream: the file's path on the server, its first byte, and the bytes read for it so far. */
    public record Read(String path, long offset, java.util.concurrent.atomic.AtomicLong counted) {
        public long bytes() {
            return counted.get();
        }
    }

    /** Bytes the server wrote into its files for STOR/APPE, including transfers that broke off. */
    public long bytesReceived() {
        return counters.received();
    }

    /** RNTO commands carried out whose reply the client never got ({@link Builder#loseRenameReplies}). */
    public int lostRenameReplies() {
        return builder.lostRenameReply.lost();
    }

    /** Successful logins (230 replies) since start or {@link #resetCounters()}. */
    public int loginCount() {
        return sessions.logins();
    }

    /** Logins refused with 530 (wrong user or password) since start or {@link #resetCounters()}. */
    public int failedLoginCount() {
        return sessions.failedLogins();
    }

    /** Sessions logged in right now. */
    public int currentSessions() {
        return sessions.current();
    }

    /** Connections turned away with 421 by {@code maxLoginsPerIp}. */
    public int refusedConnections() {
        return connectionCap.refused();
    }

    /**
     * The most sessions logged in at the same time since start or {@link #resetCounters()}; a session whose socket
     * the kernel already shows closing does not count (see {@code SessionTracker}).
     */
    public int maxConcurrentSessions() {
        return sessions.peak();
    }

    /** The sessions open at the {@link #maxConcurrentSessions()} peak: ports, login times, socket states. */
    public String peakReport() {
        return sessions.peakReport();
    }

    /** Commands of this name (MKD, STOR, OPTS...) the server answered since start or {@link #resetCounters()}. */
    public int commandCount(String name) {
        return sessions.commands(name);
    }

    /** Zeroes the byte, login and command counters; the peak restarts from the sessions logged in now. */
    public void resetCounters() {
        counters.reset();
        sessions.reset();
    }

    /**
     * Stops the server, dropping every session as a crash or a restart would, and starts a new one on the same port
     * and root with the same settings, as a server restarted by its operator. Counters carry on.
     */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Stops the server now (every session dropped); the files stay. {@link #start()} brings it back. */
    public synchronized void stop() {
        if (!server.isStopped()) {
            server.stop();
        }
    }

    /** Starts a stopped server again on the same port and root. */
    public synchronized void start() {
        if (!server.isStopped()) {
            throw new IllegalStateException("already running on port " + port());
        }
        FtpServerFixture fresh = builder.port(port()).start(root, counters, sessions);
        this.server = fresh.server;
        this.listener = fresh.listener;
        this.connectionCap = fresh.connectionCap;
    }

    /** Stops the server (dropping every session) and deletes the root directory. */
    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            deleteRecursively(root);
        }
    }

    private static String stripLeadingSlashes(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the server root " + dir, e);
        }
    }

    /** Options mirror the limits real servers impose; every default is Apache FtpServer's own. */
    public static final class Builder {
        private String user = "ferry";
        private String password = "s3cret";
        private int maxLogins = 10;
        private int maxLoginsPerIp;
        private ConnectionCap connectionCap;
        private long ratePerConnection;
        private boolean writeInPlace;
        private String passivePorts = "0";
        private int port;
        private LostRenameReply lostRenameReply = new LostRenameReply(0);
        private final Map<String, org.apache.ftpserver.ftplet.Ftplet> extraFtplets = new java.util.LinkedHashMap<>();
        private ServerCertificate certificate;

        private Builder() {
        }

        /** The one user's name and password (default ferry / s3cret). */
        public Builder user(String name, String password) {
            this.user = name;
            this.password = password;
            return this;
        }

        /** Logged-in sessions the whole server allows (ConnectionConfig); 0 = unlimited; default 10. */
        public Builder maxLogins(int n) {
            this.maxLogins = n;
            return this;
        }

        /**
         * Sessions the user may have from one address (ConcurrentLoginPermission); 0 = unlimited (default).
         * One over the limit gets {@code 421} to USER, with the server's text.
         */
        public Builder maxLoginsPerIp(int n) {
            this.maxLoginsPerIp = n;
            return this;
        }

        /** Bytes per second for each transfer, both directions (TransferRatePermission); 0 = unlimited. */
        public Builder ratePerConnection(long bytesPerSecond) {
            if (bytesPerSecond < 0 || bytesPerSecond > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Rate out of range: " + bytesPerSecond);
            }
            this.ratePerConnection = bytesPerSecond;
            return this;
        }

        /**
         * true: REST n + STOR writes from n and leaves the rest of the file alone, as vsftpd and proftpd
         * with AllowStoreRestart do (a STOR at offset 0 still truncates, as there). false (default):
         * Apache's real behaviour, which truncates the file at n.
         */
        public Builder writeInPlace(boolean inPlace) {
            this.writeInPlace = inPlace;
            return this;
        }

        /** Apache's passive port syntax ("40000-40009", "40000,40002"); default "0" = any free port. */
        public Builder passivePorts(String ports) {
            this.passivePorts = ports;
            return this;
        }

        /** The first {@code n} RNTO commands rename the file, then the session closes before the reply. */
        public Builder loseRenameReplies(int n) {
            this.lostRenameReply = new LostRenameReply(n);
            return this;
        }

        /** A test's own behaviour (a command the server lacks, a refusal on cue), after the fixture's own ftplets. */
        public Builder ftplet(String name, org.apache.ftpserver.ftplet.Ftplet ftplet) {
            extraFtplets.put(name, ftplet);
            return this;
        }

        /** Explicit TLS (AUTH TLS, PROT P) with the key in {@code keyStore} (PKCS12, {@link ServerCertificate}). */
        public Builder tls(ServerCertificate certificate) {
            this.certificate = certificate;
            return this;
        }

        /** The control port; default 0, a free port chosen at start. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public FtpServerFixture start() {
            Path root = null;
            try {
                root = Files.createTempDirectory("ferry-ftp-").toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the FTP server fixture", e);
            }
            try {
                return start(root, new TransferCounters(), new SessionTracker());
            } catch (RuntimeException e) {
                cleanUp(root);
                throw e;
            }
        }

        private FtpServerFixture start(Path root, TransferCounters counters, SessionTracker sessions) {
            try {
                connectionCap = new ConnectionCap(maxLoginsPerIp);

                FtpServerFactory factory = new FtpServerFactory();
                factory.addListener("default", listener());
                factory.setConnectionConfig(connectionConfig());
                factory.setUserManager(userManager(root));
                NativeFileSystemFactory nativeFs = new NativeFileSystemFactory();
                nativeFs.setCreateHome(true);
                factory.setFileSystem(new ObservingFileSystemFactory(nativeFs, counters, writeInPlace));
                // Mutable: Apache clears this map when it stops.
                Map<String, org.apache.ftpserver.ftplet.Ftplet> ftplets = new java.util.LinkedHashMap<>(Map.of(
                        "ferry-connection-cap", connectionCap, "ferry-session-tracker", sessions,
                        "ferry-lost-rename-reply", lostRenameReply));
                ftplets.putAll(extraFtplets);
                factory.setFtplets(ftplets);

                FtpServer server = factory.createServer();
                server.start();
                // As the demo server: without it every small transfer's 226 waited 40 ms for the client's ACK.
                if (dev.ferry.service.DemoFtpServer.repliesAtOnce(factory.getListener("default")) == null) {
                    throw new IllegalStateException("TCP_NODELAY could not be set on the fixture's listener");
                }
                FtpServerFixture fixture = new FtpServerFixture(server, factory.getListener("default"), root, user, password,
                        counters, sessions);
                fixture.connectionCap = connectionCap;
                fixture.builder = this;
                return fixture;
            } catch (FtpException | RuntimeException e) {
                throw new IllegalStateException("Cannot start the FTP server fixture", e);
            }
        }

        private static void cleanUp(Path root) {
            if (root != null) {
                deleteRecursively(root);
            }
        }

        private Listener listener() {
            DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
            data.setPassiveAddress(HOST);
            data.setPassiveExternalAddress(HOST);
            data.setPassivePorts(passivePorts);
            ListenerFactory listener = new ListenerFactory();
            listener.setServerAddress(HOST);
            listener.setPort(port); // 0: Apache reads the bound port back after start.
            if (certificate != null) {
                org.apache.ftpserver.ssl.SslConfigurationFactory ssl = new org.apache.ftpserver.ssl.SslConfigurationFactory();
                ssl.setKeystoreFile(certificate.keyStore().toFile());
                ssl.setKeystoreType("PKCS12");
                ssl.setKeystorePassword(ServerCertificate.PASSWORD);
                ssl.setKeyPassword(ServerCertificate.PASSWORD);
                data.setSslConfiguration(ssl.createSslConfiguration());
                listener.setSslConfiguration(ssl.createSslConfiguration());
                listener.setImplicitSsl(false);
            }
            listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
            return listener.createListener();
        }

        private org.apache.ftpserver.ConnectionConfig connectionConfig() {
            ConnectionConfigFactory config = new ConnectionConfigFactory();
            config.setMaxLogins(maxLogins);
            // Apache FtpServer runs every session's commands and its disconnect on one pool of maxLogins threads, and
            // a throttled RETR or STOR holds its thread for the whole transfer: with the pool busy, a session whose
            // client had closed its connection stayed "logged in" here until a thread came free, beside the next
            // login. A real server (vsftpd: a process per session) ends a session when its connection ends.
            config.setMaxThreads(Math.max(64, 4 * maxLogins));
            config.setAnonymousLoginEnabled(false);
            return config.createConnectionConfig();
        }

        private UserManager userManager(Path home) throws FtpException {
            PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
            users.setPasswordEncryptor(new ClearTextPasswordEncryptor());
            UserManager manager = users.createUserManager();
            BaseUser account = new BaseUser();
            account.setName(user);
            account.setPassword(password);
            account.setHomeDirectory(home.toString());
            List<Authority> authorities = new ArrayList<>();
            authorities.add(new WritePermission());
            authorities.add(new ConcurrentLoginPermission(0, maxLoginsPerIp));
            authorities.add(new TransferRatePermission((int) ratePerConnection, (int) ratePerConnection));
            account.setAuthorities(authorities);
            manager.save(account);
            return manager;
        }
    }
}
