package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FaultProxyTest {

    private static final int KiB = 1024;
    private static final int MiB = 1024 * KiB;
    private static final long SEED = 11;
    private static final Duration QUICKLY = Duration.ofSeconds(5);

    private FtpServerFixture ftp;
    private FaultProxy proxy;
    private FTPClient client;

    @BeforeEach
    void start() throws IOException {
        ftp = FtpServerFixture.builder().start();
        proxy = FaultProxy.start(ftp.host(), ftp.port());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            FtpClients.disconnectQuietly(client);
        }
        proxy.close();
        ftp.close();
        Await.until(QUICKLY, () -> proxyThreads() == 0, () -> proxyThreads() + " proxy threads outlived close()");
    }

    private static long proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("fault-proxy-"))
                .count();
    }

    @ParameterizedTest(name = "EPSV {0}")
    @ValueSource(booleans = {false, true})
    void passiveTransfersInBothDirectionsGoThroughTheProxyUnchanged(boolean epsv) throws IOException {
        ftp.write("a.bin", 2 * MiB, SEED);
        client = loginThroughProxy();
        client.setUseEPSVwithIPv4(epsv);

        assertEquals(Hashes.sha256(ftp.file("a.bin")), Hashes.sha256(retrieve("a.bin")));
        try (InputStream in = PseudoRandomContent.stream(SEED + 1, MiB)) {
            assertTrue(client.storeFile("b.bin", in), client.getReplyString());
        }

        assertEquals(Hashes.sha256(PseudoRandomContent.bytes(SEED + 1, 0, MiB)), Hashes.sha256(ftp.file("b.bin")));
        assertEquals(2, proxy.dataConnections());
        Await.until(QUICKLY, () -> proxy.bytesForwardedDownstream() == 2 * MiB,
                () -> "downstream " + proxy.bytesForwardedDownstream());
        assertEquals(MiB, proxy.bytesForwardedUpstream());
        assertEquals(0, proxy.faultsInjected());
    }

    @Test
    void cutDataAfterBreaksOnlyTheNextDataConnection() throws IOException {
        ftp.write("a.bin", 4 * MiB, SEED);
        client = loginThroughProxy();
        proxy.cutDataAfter(256 * KiB);

        long received = readUntilBroken("a.bin");

        assertTrue(received <= 256 * KiB, "received " + received);
        assertEquals(1, proxy.faultsInjected());
        FTPClient second = loginThroughProxy();
        try {
            assertEquals(Hashes.sha256(ftp.file("a.bin")), Hashes.sha256(retrieve(second, "a.bin")));
        } finally {
            FtpClients.disconnectQuietly(second);
        }
        assertEquals(1, proxy.faultsInjected());
    }

    @Test
    void cutEveryDataAfterBreaksEachDataConnectionUntilCleared() throws IOException {
        ftp.write("a.bin", 2 * MiB, SEED);
        proxy.cutEveryDataAfter(64 * KiB);

        for (int i = 0; i < 2; i++) {
            FTPClient broken = loginThroughProxy();
            try {
                assertTrue(readUntilBroken(broken, "a.bin") <= 64 * KiB);
            } finally {
                FtpClients.disconnectQuietly(broken);
            }
        }
        assertEquals(2, proxy.faultsInjected());

        proxy.clearFaults();
        client = loginThroughProxy();
        assertEquals(Hashes.sha256(ftp.file("a.bin")), Hashes.sha256(retrieve("a.bin")));
    }

    @Test
    void stallDataAfterLeavesTheClientToTimeOut() throws IOException {
        ftp.write("a.bin", 4 * MiB, SEED);
        client = loginThroughProxy();
        client.setDataTimeout(Duration.ofSeconds(1));
        proxy.stallDataAfter(64 * KiB);

        long start = System.nanoTime();
        InputStream in = client.retrieveFileStream("a.bin");
        assertNotNull(in, client.getReplyString());
        byte[] buffer = new byte[16 * KiB];
        long received = 0;
        try {
            SocketTimeoutException timeout = assertThrows(SocketTimeoutException.class, () -> {
                long total = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    total += n;
                }
                throw new AssertionError("stream ended after " + total + " bytes instead of stalling");
            });
            assertNotNull(timeout);
        } finally {
            in.close();
        }
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(millis >= 900, "timed out after only " + millis + " ms");
        assertEquals(1, proxy.faultsInjected());
        assertTrue(proxy.bytesForwardedDownstream() <= 64 * KiB, "forwarded " + proxy.bytesForwardedDownstream());
    }

    @Test
    void cutControlAfterBreaksTheNextControlConnection() throws IOException {
        proxy.cutControlAfter(40); // the 220 banner passes, the login does not

        FTPClient broken = FtpClients.connect(proxy.host(), proxy.port());
        try {
            assertThrows(IOException.class, () -> {
                broken.login(ftp.user(), ftp.password());
                broken.noop();
            });
        } finally {
            FtpClients.disconnectQuietly(broken);
        }
        assertEquals(1, proxy.faultsInjected());

        client = loginThroughProxy();
        assertTrue(client.sendNoOp());
    }

    @Test
    void cutAllResetsOpenConnections() throws IOException {
        client = loginThroughProxy();
        Await.until(QUICKLY, () -> ftp.currentSessions() == 1, () -> "not logged in");

        proxy.cutAll();

        assertThrows(IOException.class, () -> {
            client.noop();
            client.noop();
        });
        assertEquals(1, proxy.faultsInjected());
        Await.until(QUICKLY, () -> ftp.currentSessions() == 0, () -> "the server kept the session");
    }

    @Test
    void refuseNewClosesNewControlConnectionsUntilLifted() throws IOException {
        proxy.refuseNew(true);

        assertThrows(IOException.class, () -> FtpClients.connect(proxy.host(), proxy.port()));
        assertEquals(1, proxy.faultsInjected());

        proxy.refuseNew(false);
        client = loginThroughProxy();
        assertTrue(client.sendNoOp());
    }

    @Test
    void throttleSlowsOnlyTheChosenDataConnection() throws IOException {
        int size = 384 * KiB;
        ftp.write("a.bin", size, SEED);
        client = loginThroughProxy();
        proxy.throttle(0, 256 * KiB);

        long throttled = timeRetrieve("a.bin");
        long free = timeRetrieve("a.bin");

        // 384 KiB at 256 KiB/s is 1.5 s; lower bound only, loosely.
        assertTrue(throttled >= 1_000, "throttled transfer took only " + throttled + " ms");
        assertTrue(free < throttled / 2, "unthrottled " + free + " ms vs throttled " + throttled + " ms");
        assertEquals(2, proxy.dataConnections());
        assertFalse(proxy.faultsInjected() > 0);
    }

    private FTPClient loginThroughProxy() throws IOException {
        return FtpClients.login(proxy.host(), proxy.port(), ftp.user(), ftp.password());
    }

    private byte[] retrieve(String name) throws IOException {
        return retrieve(client, name);
    }

    private static byte[] retrieve(FTPClient ftpClient, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ftpClient.retrieveFile(name, out), ftpClient.getReplyString());
        return out.toByteArray();
    }

    private long timeRetrieve(String name) throws IOException {
        long start = System.nanoTime();
        try (OutputStream out = OutputStream.nullOutputStream()) {
            assertTrue(client.retrieveFile(name, out), client.getReplyString());
        }
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private long readUntilBroken(String name) throws IOException {
        return readUntilBroken(client, name);
    }

    /** Reads a RETR until the stream fails or ends; asserts it did not deliver the whole file. */
    private long readUntilBroken(FTPClient ftpClient, String name) throws IOException {
        long size = java.nio.file.Files.size(ftp.file(name));
        InputStream in = ftpClient.retrieveFileStream(name);
        assertNotNull(in, ftpClient.getReplyString());
        long received = 0;
        byte[] buffer = new byte[16 * KiB];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
        } catch (IOException reset) {
            // Expected: the proxy reset the data connection.
        }
        assertTrue(received < size, "received the whole file: " + received);
        return received;
    }
}
