package dev.ferry.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
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
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.apache.mina.transport.socket.SocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FTP server a fresh checkout talks to when no server is configured: Apache FtpServer on the loopback address,
 * serving one directory, with user {@code demo} and a password made up for this run only. The password goes to the
 * {@code demo} profile in memory; it is never printed or stored.
 */
public final class DemoFtpServer implements AutoCloseable {
    public static final String USER = "demo";
    private static final Logger LOG = LoggerFactory.getLogger(DemoFtpServer.class);

    private final FtpServer server;
    private final String host;
    private final int port;
    private final Path root;
    private final String password;
    private final SocketAcceptor acceptor;

    private DemoFtpServer(FtpServer server, String host, int port, Path root, String password,
                          SocketAcceptor acceptor) {
        this.server = server;
        this.acceptor = acceptor;
        this.host = host;
        this.port = port;
        this.root = root;
        this.password = password;
    }

    public static DemoFtpServer start(String host, int port, Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo FTP root " + root, e);
        }
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            FtpServerFactory factory = new FtpServerFactory();
            DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
            data.setPassiveAddress(host);
            data.setPassiveExternalAddress(host);
            data.setPassivePorts("0");
            ListenerFactory listener = new ListenerFactory();
            listener.setServerAddress(host);
            listener.setPort(port);
            listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
            factory.addListener("default", listener.createListener());
            ConnectionConfigFactory connections = new ConnectionConfigFactory();
            connections.setMaxLogins(32);
            connections.setAnonymousLoginEnabled(false);
            factory.setConnectionConfig(connections.createConnectionConfig());
            PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
            users.setPasswordEncryptor(new ClearTextPasswordEncryptor());
            UserManager manager = users.createUserManager();
            BaseUser user = new BaseUser();
            user.setName(USER);
            user.setPassword(password);
            user.setHomeDirectory(root.toAbsolutePath().toString());
            user.setAuthorities(List.<Authority>of(new WritePermission(), new ConcurrentLoginPermission(0, 0)));
            manager.save(user);
            factory.setUserManager(manager);
            NativeFileSystemFactory fs = new NativeFileSystemFactory();
            fs.setCreateHome(true);
            factory.setFileSystem(fs);
            FtpServer server = factory.createServer();
            server.start();
            SocketAcceptor acceptor = repliesAtOnce(factory.getListener("default"));
            int bound = factory.getListener("default").getPort();
            return new DemoFtpServer(server, host, bound, root.toAbsolutePath(), password, acceptor);
        } catch (FtpException | RuntimeException e) {
            throw new IllegalStateException("cannot start the demo FTP server on " + host + ":" + port + " ("
                    + e.getMessage() + "); set ferry.demo.port to a free port, or configure a server"
                    + " (ferry.servers.<name>.host ...)", e);
        }
    }

    /**
     * TCP_NODELAY on the server's control connections, which Apache FtpServer leaves off: after a small upload its
     * "226" waited in Nagle's buffer until the client's delayed ACK of the "150" before it (40 ms on Linux), so every
     * small file cost 40 ms more than the bytes — a single drop 0.20 s instead of 0.15, 200 drops 2.7 s instead of 1.0
     * (bench/RESULTS.md §8). The option is on the listener's acceptor, which Apache FtpServer does not expose; without
     * it the demo still works, only slower. The tests' server fixture sets it the same way.
     *
     * @return the acceptor, or null when this Apache FtpServer keeps it elsewhere
     */
    public static SocketAcceptor repliesAtOnce(Listener listener) {
        try {
            java.lang.reflect.Field field = listener.getClass().getDeclaredField("acceptor");
            field.setAccessible(true);
            SocketAcceptor acceptor = (SocketAcceptor) field.get(listener);
            acceptor.getSessionConfig().setTcpNoDelay(true);
            return acceptor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("the demo server's replies wait for the client's ACK (no acceptor to set TCP_NODELAY on): {}",
                    e.toString());
            return null;
        }
    }

    /** Whether the server's control connections send each reply at once (TCP_NODELAY). */
    boolean repliesAtOnce() {
        return acceptor != null && acceptor.getSessionConfig().isTcpNoDelay();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Path root() {
        return root;
    }

    /** For the demo profile only. */
    String password() {
        return password;
    }

    @Override
    public void close() {
        server.stop();
    }
}
