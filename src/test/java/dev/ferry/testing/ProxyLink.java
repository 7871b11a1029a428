package dev.ferry.testing;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.ferry.testing.FaultPlan.Fault;
import dev.ferry.testing.FaultPlan.Kind;

/**
 * One proxied TCP connection: the client's socket, the server's socket, and the fault it carries. The two
 * {@link Pump}s of a link share its byte budget, so "cut after n bytes" holds whichever way bytes flow.
 */
final class ProxyLink {

    interface Listener {
        void faultInjected(ProxyLink link);

        void closed(ProxyLink link);
    }

    private final String name;
    private final Socket client;
    private final Socket server;
    private final Fault fault;
    private final Listener listener;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicInteger finishedPumps = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    ProxyLink(String name, Socket client, Socket server, Fault fault, Listener listener) {
        this.name = name;
        this.client = client;
        this.server = server;
        this.fault = fault;
        this.listener = listener;
    }

    String name() {
        return name;
    }

    Socket client() {
        return client;
    }

    Socket server() {
        return server;
    }

    /** How many of {@code n} bytes may be forwarded now; reserves them against the fault's budget. */
    int admit(int n) {
        if (fault == null) {
            forwarded.addAndGet(n);
            return n;
        }
        while (true) {
            long current = forwarded.get();
            int allowed = (int) Math.max(0, Math.min(n, fault.afterBytes() - current));
            if (forwarded.compareAndSet(current, current + allowed)) {
                return allowed;
            }
        }
    }

    boolean faultDue() {
        return fault != null && forwarded.get() >= fault.afterBytes();
    }

    boolean stalled() {
        return fault != null && fault.kind() == Kind.STALL && fired.get();
    }

    /** Injects the fault once, whichever pump reaches the budget first. */
    void fire() {
        if (!fired.compareAndSet(false, true)) {
            return;
        }
        listener.faultInjected(this);
        if (fault.kind() == Kind.CUT) {
            cut();
        }
    }

    /** A pump saw end of stream: pass the half-close on, and close the link when both directions are done. */
    void endOfStream(Socket target) {
        if (stalled()) {
            // The client gave up on a stalled transfer; nothing is left to forward.
            close();
            return;
        }
        try {
            target.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        if (finishedPumps.incrementAndGet() == 2) {
            close();
        }
    }

    /** Abrupt close: RST to both peers instead of FIN, as a dropped network path or a killed peer looks. */
    void cut() {
        resetQuietly(client);
        resetQuietly(server);
        close();
    }

    void close() {
        closeQuietly(client);
        closeQuietly(server);
        closed.countDown();
        if (closing.compareAndSet(false, true)) {
            listener.closed(this);
        }
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Waits up to {@code nanos} (forever if negative) for the link to close; true if it did. */
    boolean awaitClosed(long nanos) {
        try {
            if (nanos < 0) {
                closed.await();
                return true;
            }
            return closed.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Already closed: nothing to reset.
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort; the peer sees the connection end either way.
        }
    }
}
