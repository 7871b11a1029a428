package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain TCP relay on 127.0.0.1 (for a database connection, where {@link FaultProxy}'s FTP awareness does not
 * belong) that can partition the link: {@link #cut()} stops forwarding in both directions without closing anything,
 * as a network that drops packets does — bytes sent meanwhile wait in the relay and the kernel's buffers, and new
 * connections are accepted but not connected onwards. {@link #heal()} delivers everything that waited, so writes
 * sent during the cut arrive late, which is what fencing must refuse.
 *
 * <pre>{@code
 * try (PartitionRelay db = PartitionRelay.start("127.0.0.1", 5432)) {
 *     ... jdbc:postgresql://127.0.0.1:<db.port()>/test ...
 *     db.cut();  ...  db.heal();
 * }
 * }</pre>
 *
 * <p>{@link #closeOnceWhenSent} breaks one statement instead of the whole link: the connection that next sends a
 * given text (a query's SQL, which the PostgreSQL driver sends in its Parse message) is closed before that text goes
 * on, so exactly that ledger call fails, as it does when the database restarts under it, while the other
 * connections go on.
 */
public final class PartitionRelay implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicReference<byte[]> closeWhenSent = new AtomicReference<>();
    private final AtomicInteger closedWhenSent = new AtomicInteger();
    private volatile boolean cut;
    private volatile boolean down;
    private volatile boolean closed;

    private PartitionRelay(String targetHost, int targetPort, ServerSocket listener) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listener;
    }

    public static PartitionRelay start(String host, int port) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        PartitionRelay relay = new PartitionRelay(host, port, listener);
        Thread t = new Thread(relay::acceptLoop, "partition-relay-accept");
        t.setDaemon(true);
        t.start();
        return relay;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Stops forwarding, in both directions and for new connections, until {@link #heal()}. */
    public void cut() {
        cut = true;
    }

    /**
     * The database as when it stops or restarts: every connection through the relay is closed, and new ones are
     * closed at once, until {@link #heal()}.
     */
    public void down() {
        down = true;
        sockets.forEach(this::closeQuietly);
    }

    /**
     * The next connection whose client sends {@code text} is closed (both ends) before the bytes that hold it are
     * forwarded; once, then the relay forwards as before.
     */
    public void closeOnceWhenSent(String text) {
        closeWhenSent.set(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Connections {@link #closeOnceWhenSent} closed. */
    public int closedWhenSent() {
        return closedWhenSent.get();
    }

    /** Forwards again, first everything that waited. */
    public void heal() {
        synchronized (gate) {
            down = false;
            cut = false;
            gate.notifyAll();
        }
    }

    private void awaitHealed() throws IOException {
        synchronized (gate) {
            while (cut && !closed) {
                try {
                    gate.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        if (closed) {
            throw new IOException("relay closed");
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (down) {
                    client.close();
                    continue;
                }
                sockets.add(client);
                Thread t = new Thread(() -> connect(client), "partition-relay-connect");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitHealed();
            Socket server = new Socket(targetHost, targetPort);
            sockets.add(server);
            pump(client, server, "up");
            pump(server, client, "down");
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                // The end of the bytes before, so a text split across two reads is still seen.
                byte[] tail = new byte[0];
                while ((n = in.read(buf)) >= 0) {
                    awaitHealed();
                    if ("up".equals(direction)) {
                        byte[] seen = new byte[tail.length + n];
                        System.arraycopy(tail, 0, seen, 0, tail.length);
                        System.arraycopy(buf, 0, seen, tail.length, n);
                        byte[] text = closeWhenSent.get();
                        if (text != null && contains(seen, text) && closeWhenSent.compareAndSet(text, null)) {
                            closedWhenSent.incrementAndGet();
                            return;
                        }
                        int keep = Math.min(seen.length, 256);
                        tail = java.util.Arrays.copyOfRange(seen, seen.length - keep, seen.length);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side closed or the relay closed: close the other.
            } finally {
                try {
                    // A partition hides a close too: the other side learns of it only when the cut heals.
                    awaitHealed();
                } catch (IOException closed) {
                    // Closing anyway.
                }
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "partition-relay-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    @Override
    public void close() {
        closed = true;
        heal();
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        sockets.forEach(this::closeQuietly);
    }
}
