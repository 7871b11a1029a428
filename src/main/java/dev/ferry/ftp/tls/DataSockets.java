package dev.ferry.ftp.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;

/**
 * The sockets a client's socket factory makes while it opens one data connection. commons-net connects the passive
 * data socket before it sends the command (STOR, RETR …) and closes it when the reply refuses, but not when reading
 * the reply fails: a server that holds the command unanswered (vsftpd waiting for another session's upload lock)
 * then leaves the socket open for good, and that server's session with it — which kept the lock another node's
 * upload waited for, until it failed. The client closes {@link #made} sockets when opening fails.
 */
public final class DataSockets extends SocketFactory {
    private final SocketFactory factory;
    private final List<Socket> made = new ArrayList<>(1);

    private DataSockets(SocketFactory factory) {
        this.factory = factory != null ? factory : SocketFactory.getDefault();
    }

    /** A client's own {@code super._openDataConnection_(command, arg)}. */
    public interface Opening {
        Socket open() throws IOException;
    }

    /**
     * {@code opening} with the client's socket factory ({@code current}, put in place by {@code install}) wrapped, so
     * that a socket it made is closed when opening fails; the client's factory is put back either way.
     */
    public static Socket open(SocketFactory current, java.util.function.Consumer<SocketFactory> install,
                              Opening opening) throws IOException {
        DataSockets tracked = new DataSockets(current);
        install.accept(tracked);
        try {
            return opening.open();
        } catch (IOException | RuntimeException e) {
            tracked.closeMade();
            throw e;
        } finally {
            install.accept(tracked.factory);
        }
    }

    private void closeMade() {
        for (Socket s : made) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing is all there is to do.
            }
        }
        made.clear();
    }

    private Socket kept(Socket s) {
        made.add(s);
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return kept(factory.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return kept(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return kept(factory.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return kept(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return kept(factory.createSocket(address, port, localAddress, localPort));
    }
}
