package dev.ferry.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.ferry.testing.FaultPlan.DataAssignment;
import dev.ferry.testing.FaultPlan.Fault;
import dev.ferry.testing.FaultPlan.Kind;

/**
 * An FTP-aware TCP proxy on 127.0.0.1 that breaks connections on demand. A client connects to
 * {@link #port()}; passive replies (227 and 229) are rewritten to new proxy listeners, so data connections
 * pass through the proxy as well and can be cut, stalled or throttled while a transfer runs. Active mode
 * (PORT/EPRT) is forwarded unchanged and so bypasses the proxy.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port())) {
 *     proxy.cutDataAfter(1 << 20);       // the next data connection dies after 1 MiB
 *     ... run the code under test against 127.0.0.1:proxy.port() ...
 *     assertEquals(1, proxy.faultsInjected());
 * }
 * }</pre>
 *
 * Controls are thread safe and take effect for connections opened afterwards (throttles also for running
 * ones). Byte budgets count the bytes the proxy forwarded on that connection in both directions; a cut
 * resets the connection (RST), which may discard bytes still in the kernel's send buffer, so the client
 * receives at most that many bytes. Plain blocking sockets, two daemon threads per connection; every
 * thread ends on {@link #close()}.
 */
public final class FaultProxy implements AutoCloseable {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** A client that asked for passive mode but never connects must not leave a listener behind forever. */
    private static final int DATA_ACCEPT_TIMEOUT_MS = 30_000;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket controlListener;
    private final FaultPlan plan = new FaultPlan();
    private final Set<ProxyLink> links = ConcurrentHashMap.newKeySet();
    private final Set<ServerSocket> dataListeners = ConcurrentHashMap.newKeySet();
    private final AtomicLong faults = new AtomicLong();
    private final AtomicInteger dataConnections = new AtomicInteger();
    private final AtomicInteger controlConnections = new AtomicInteger();
    private final AtomicLong downstream = new AtomicLong();
    private final AtomicLong upstream = new AtomicLong();
    private final AtomicLong controlBytes = new AtomicLong();
    private final ProxyLink.Listener linkListener = new ProxyLink.Listener() {
        @Override
        public void faultInjected(ProxyLink link) {
            faults.incrementAndGet();
        }

        @Override
        public void closed(ProxyLink link) {
            links.remove(link);
        }
    };
    private volatile boolean refuseNew;
    private volatile boolean cutControlOnEarlyClose;
    private volatile boolean closed;

    private FaultProxy(String targetHost, int targetPort, ServerSocket controlListener) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.controlListener = controlListener;
    }

    /** Starts a proxy on 127.0.0.1 and a free port that forwards to the FTP server at host:port. */
    public static FaultProxy start(String host, int port) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, LOOPBACK);
        FaultProxy proxy = new FaultProxy(host, port, listener);
        daemon("fault-proxy-accept-" + listener.getLocalPort(), proxy::acceptControl).start();
        return proxy;
    }

    /**
     * Starts a proxy on a port of the caller's choosing, e.g. the port of a proxy {@link #close closed} before: a
     * server that went away (connections refused meanwhile) and came back at its address.
     */
    public static FaultProxy startOn(int listenPort, String host, int port) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new java.net.InetSocketAddress(LOOPBACK, listenPort), 50);
        FaultProxy proxy = new FaultProxy(host, port, listener);
        daemon("fault-proxy-accept-" + listener.getLocalPort(), proxy::acceptControl).start();
        return proxy;
    }

    public String host() {
        return LOOPBACK.getHostAddress();
    }

    /** The control port clients connect to instead of the server's. */
    public int port() {
        return controlListener.getLocalPort();
    }

    /** The next data connection is reset after it has forwarded {@code bytes} bytes. */
    public void cutDataAfter(long bytes) {
        plan.nextData(new Fault(Kind.CUT, bytes));
    }

    /** Every data connection from now until {@link #clearFaults()} is reset after {@code bytes} bytes. */
    public void cutEveryDataAfter(long bytes) {
        plan.everyData(new Fault(Kind.CUT, bytes));
    }

    /**
     * Every data connection from now until {@link #clearFaults()} is reset, each a little later than the one before:
     * the n-th (from 0) after {@code first} + n × {@code step} bytes, as a link that cuts at varying points does.
     */
    public void cutEveryDataAfterGrowing(long first, long step) {
        plan.everyDataGrowing(first, step);
    }

    /**
     * The next data connection stops forwarding after {@code bytes} bytes but stays open, as a hung server
     * or a black-holed path does: only the client's read timeout can end the transfer.
     */
    public void stallDataAfter(long bytes) {
        plan.nextData(new Fault(Kind.STALL, bytes));
    }

    /** The next control connection opened is reset after it has forwarded {@code bytes} bytes. */
    public void cutControlAfter(long bytes) {
        plan.nextControl(new Fault(Kind.CUT, bytes));
    }

    /** Resets every open connection now, control and data, and closes pending passive listeners. */
    public void cutAll() {
        for (ProxyLink link : new ArrayList<>(links)) {
            if (!link.isClosed()) {
                faults.incrementAndGet();
                link.cut();
            }
        }
        closeDataListeners();
    }

    /**
     * Limits the {@code connectionOrdinal}-th data connection (0-based, counted since start or the last
     * {@link #clearFaults()}) to {@code bytesPerSecond}; 0 lifts the limit. Applies to it while it runs.
     */
    public void throttle(int connectionOrdinal, long bytesPerSecond) {
        plan.throttle(connectionOrdinal, bytesPerSecond);
    }

    /**
     * While true, a data connection the client closes before the server ended it (a segment read to its end, then
     * closed) takes its control connection down with it at once, before the server's reply to the close: as a server
     * does that ends the whole session when a client stops a download early (a SIGPIPE in its process).
     */
    public void cutControlOnEarlyDataClose(boolean cut) {
        this.cutControlOnEarlyClose = cut;
    }

    /** While true, new control connections are accepted and closed at once, as if nothing listened. */
    public void refuseNew(boolean refuse) {
        this.refuseNew = refuse;
    }

    /** Forgets armed faults and throttles and restarts data connection numbering; counters are kept. */
    public void clearFaults() {
        plan.clear();
        refuseNew = false;
    }

    /** Faults that took effect: each connection cut or stalled (also by {@link #cutAll()}), each refusal. */
    public long faultsInjected() {
        return faults.get();
    }

    /** Data connections opened through the proxy since start. */
    public int dataConnections() {
        return dataConnections.get();
    }

    /** Control connections forwarded to the server since start (refused ones not included). */
    public int controlConnections() {
        return controlConnections.get();
    }

    /** Bytes forwarded from server to client over data connections. */
    public long bytesForwardedDownstream() {
        return downstream.get();
    }

    /** Bytes forwarded from client to server over data connections. */
    public long bytesForwardedUpstream() {
        return upstream.get();
    }

    /** Stops listening and closes every connection; all proxy threads end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(controlListener);
        closeDataListeners();
        for (ProxyLink link : new ArrayList<>(links)) {
            link.close();
        }
    }

    private void acceptControl() {
        while (!closed) {
            Socket client;
            try {
                client = controlListener.accept();
            } catch (IOException e) {
                return; // close() closed the listener
            }
            if (refuseNew) {
                faults.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            daemon("fault-proxy-connect", () -> openControl(client)).start();
        }
    }

    private void openControl(Socket client) {
        Fault fault = plan.takeControl();
        Socket server;
        try {
            server = connect(targetHost, targetPort);
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        int n = controlConnections.getAndIncrement();
        ProxyLink link = new ProxyLink("control-" + n, client, server, fault, linkListener);
        try {
            Pump up = new Pump(link, Pump.raw(client), server, controlBytes, () -> 0);
            PassiveReplyRewriter replies =
                    new PassiveReplyRewriter(server.getInputStream(), targetHost,
                            (host, port) -> openDataListener(host, port, link));
            Pump down = new Pump(link, replies, client, controlBytes, () -> 0);
            startPumps(link, up, down);
        } catch (IOException e) {
            link.close();
        }
    }

    private int openDataListener(String serverHost, int serverPort, ProxyLink control) throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, LOOPBACK);
        listener.setSoTimeout(DATA_ACCEPT_TIMEOUT_MS);
        dataListeners.add(listener);
        if (closed) {
            closeQuietly(listener);
        }
        daemon("fault-proxy-data-accept-" + listener.getLocalPort(), () -> {
            try (listener) {
                Socket client = listener.accept();
                openData(client, serverHost, serverPort, control);
            } catch (SocketTimeoutException e) {
                // The client never came; the listener closes.
            } catch (IOException e) {
                // Closed by close() or cutAll().
            } finally {
                dataListeners.remove(listener);
            }
        }).start();
        return listener.getLocalPort();
    }

    private void openData(Socket client, String serverHost, int serverPort, ProxyLink control) {
        DataAssignment assignment = plan.assignData();
        dataConnections.incrementAndGet();
        Socket server;
        try {
            server = connect(serverHost, serverPort);
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        ProxyLink link =
                new ProxyLink("data-" + assignment.ordinal(), client, server, assignment.fault(), linkListener);
        try {
            java.util.concurrent.atomic.AtomicBoolean serverEnded = new java.util.concurrent.atomic.AtomicBoolean();
            Pump.Source fromServer = Pump.raw(server);
            Pump.Source fromClient = Pump.raw(client);
            Pump up = new Pump(link, (buffer, max) -> {
                int n;
                try {
                    n = fromClient.read(buffer, max);
                } catch (IOException e) {
                    // A reset: the client closed with bytes unread.
                    earlyClose(serverEnded, control);
                    throw e;
                }
                if (n < 0) {
                    earlyClose(serverEnded, control);
                }
                return n;
            }, server, upstream, () -> plan.rateFor(assignment.epoch(), assignment.ordinal()));
            Pump down = new Pump(link, (buffer, max) -> {
                int n = fromServer.read(buffer, max);
                if (n < 0) {
                    serverEnded.set(true);
                }
                return n;
            }, client, downstream, () -> plan.rateFor(assignment.epoch(), assignment.ordinal()));
            startPumps(link, up, down);
        } catch (IOException e) {
            link.close();
        }
    }

    private void earlyClose(java.util.concurrent.atomic.AtomicBoolean serverEnded, ProxyLink control) {
        if (cutControlOnEarlyClose && !serverEnded.get()) {
            faults.incrementAndGet();
            control.close();
        }
    }

    private void startPumps(ProxyLink link, Pump up, Pump down) {
        links.add(link);
        if (closed) {
            link.close();
            return;
        }
        daemon("fault-proxy-" + link.name() + "-up", up).start();
        daemon("fault-proxy-" + link.name() + "-down", down).start();
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private void closeDataListeners() {
        List<ServerSocket> pending = new ArrayList<>(dataListeners);
        pending.forEach(FaultProxy::closeQuietly);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Best effort: the socket is unusable either way.
        }
    }
}
