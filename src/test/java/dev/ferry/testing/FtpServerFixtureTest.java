package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FtpServerFixtureTest {

    private static final int MiB = 1024 * 1024;
    private static final int KiB = 1024;
    private static final Duration QUICKLY = Duration.ofSeconds(5);

    @TempDir
    Path local;

    @Test
    void uploadsAndDownloadsByteIdenticalFilesWithSpacesAndChineseNames() throws IOException {
        String dir = "目录 with space";
        String name = dir + "/数据 文件 1.bin";
        Path source = PseudoRandomContent.write(local.resolve("source.bin"), 3 * MiB + 17, 7);
        Path downloaded = local.resolve("downloaded.bin");

        try (FtpServerFixture ftp = FtpServerFixture.builder().user("ferry", "s3cret").start()) {
            FTPClient client = FtpClients.login(ftp);
            try {
                assertTrue(client.makeDirectory(dir), client.getReplyString());
                try (InputStream in = Files.newInputStream(source)) {
                    assertTrue(client.storeFile(name, in), client.getReplyString());
                }
                assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file(name)));
                assertEquals(Files.size(source), ftp.bytesReceived());
                assertTrue(Arrays.asList(client.listNames(dir)).stream().anyMatch(n -> n.endsWith("数据 文件 1.bin")),
                        "listing shows the UTF-8 name");

                try (OutputStream out = Files.newOutputStream(downloaded)) {
                    assertTrue(client.retrieveFile(name, out), client.getReplyString());
                }
                assertEquals(Hashes.sha256(source), Hashes.sha256(downloaded));
                assertEquals(Files.size(source), ftp.bytesSent());
                assertEquals(1, ftp.loginCount());
            } finally {
                FtpClients.disconnectQuietly(client);
            }
        }
    }

    @Test
    void writeInPlaceKeepsTheBytesBeyondARestartedStore() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start()) {
            Path file = ftp.write("f.bin", MiB, 1);
            byte[] patch = PseudoRandomContent.bytes(2, 0, 100);

            storeAt(ftp, "f.bin", 512 * KiB, patch);

            assertEquals(MiB, Files.size(file));
            byte[] expected = PseudoRandomContent.bytes(1, 0, MiB);
            System.arraycopy(patch, 0, expected, 512 * KiB, patch.length);
            assertArrayEquals(expected, Files.readAllBytes(file));
            assertEquals(100, ftp.bytesReceived());
        }
    }

    @Test
    void defaultApacheBehaviourTruncatesAtTheRestartOffset() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path file = ftp.write("f.bin", MiB, 1);

            storeAt(ftp, "f.bin", 512 * KiB, PseudoRandomContent.bytes(2, 0, 100));

            assertEquals(512 * KiB + 100, Files.size(file));
        }
    }

    @Test
    void writeInPlaceStillTruncatesAStoreAtOffsetZeroAsRealServersDo() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).start()) {
            Path file = ftp.write("f.bin", MiB, 1);

            storeAt(ftp, "f.bin", 0, PseudoRandomContent.bytes(2, 0, 100));

            assertEquals(100, Files.size(file));
        }
    }

    @Test
    void oneLoginOverThePerAddressLimitIsRefusedWithTheServersReply() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLoginsPerIp(2).start()) {
            FTPClient first = FtpClients.login(ftp);
            FTPClient second = FtpClients.login(ftp);
            FTPClient third = new FTPClient();
            try {
                // Like vsftpd's max_per_ip, the refusal comes instead of the banner.
                org.apache.commons.net.ftp.FTPConnectionClosedException refused = org.junit.jupiter.api.Assertions
                        .assertThrows(org.apache.commons.net.ftp.FTPConnectionClosedException.class,
                                () -> third.connect(ftp.host(), ftp.port()));
                assertEquals(421, third.getReplyCode(), refused.getMessage());
                assertTrue(third.getReplyString().contains("Too many connections"), third.getReplyString());
                assertEquals(1, ftp.refusedConnections());
                assertEquals(2, ftp.loginCount());
                assertEquals(2, ftp.maxConcurrentSessions());
            } finally {
                List.of(first, second, third).forEach(FtpClients::disconnectQuietly);
            }
        }
    }

    @Test
    void oneLoginOverTheServerWideLimitIsRefused() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().maxLogins(1).start()) {
            FTPClient first = FtpClients.login(ftp);
            FTPClient second = FtpClients.connect(ftp.host(), ftp.port());
            try {
                assertRefused(second, ftp);
                assertEquals(1, ftp.maxConcurrentSessions());
            } finally {
                List.of(first, second).forEach(FtpClients::disconnectQuietly);
            }
        }
    }

    @Test
    void sessionCountsFollowLoginsAndDisconnects() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            FTPClient a = FtpClients.login(ftp);
            FTPClient b = FtpClients.login(ftp);
            Await.until(QUICKLY, () -> ftp.currentSessions() == 2, () -> "sessions " + ftp.currentSessions());
            FtpClients.disconnectQuietly(a);
            FtpClients.disconnectQuietly(b);
            Await.until(QUICKLY, () -> ftp.currentSessions() == 0, () -> "sessions " + ftp.currentSessions());

            ftp.resetCounters();
            FTPClient c = FtpClients.login(ftp);
            FtpClients.disconnectQuietly(c);

            assertEquals(1, ftp.loginCount());
            assertEquals(1, ftp.maxConcurrentSessions());
        }
    }

    @Test
    void aSessionWhoseClientClosedDoesNotCountWhileTheServerHasNotSeenItsEnd() throws IOException {
        // The server handles a session's events one after the other: a slow RETR holds back its close, as a loaded
        // machine holds back any server thread. The client is gone meanwhile; the next login is not a second one.
        withASecondLoginBesideASlowRetr(true, ftp -> {
            assertEquals(2, ftp.currentSessions(), "the server has not yet seen the first session end");
            assertEquals(1, ftp.maxConcurrentSessions(), ftp.peakReport());
        });
    }

    @Test
    void aSessionStillOpenCountsWhileAnotherLogsIn() throws IOException {
        withASecondLoginBesideASlowRetr(false, ftp -> {
            assertEquals(2, ftp.maxConcurrentSessions(), ftp.peakReport());
            assertTrue(ftp.peakReport().contains("ESTABLISHED"), ftp.peakReport());
        });
    }

    /** A first session in a throttled RETR (its control connection closed first if {@code closeFirst}), a second login. */
    private static void withASecondLoginBesideASlowRetr(boolean closeFirst,
                                                        java.util.function.Consumer<FtpServerFixture> check)
            throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(8 * KiB).start()) {
            ftp.write("slow.bin", MiB, 5);
            FTPClient a = FtpClients.login(ftp);
            InputStream data = a.retrieveFileStream("slow.bin");
            FTPClient b = null;
            try {
                assertEquals(KiB, data.readNBytes(KiB).length);
                if (closeFirst) {
                    FtpClients.disconnectQuietly(a);
                }
                b = FtpClients.login(ftp);
                check.accept(ftp);
            } finally {
                data.close();
                FtpClients.disconnectQuietly(a);
                if (b != null) {
                    FtpClients.disconnectQuietly(b);
                }
            }
            Await.until(QUICKLY, () -> ftp.currentSessions() == 0, () -> "sessions " + ftp.currentSessions());
        }
    }

    @Test
    void ratePerConnectionSlowsATransfer() throws IOException {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(512 * KiB).start()) {
            ftp.write("slow.bin", MiB, 3);
            FTPClient client = FtpClients.login(ftp);
            try {
                long start = System.nanoTime();
                try (OutputStream out = OutputStream.nullOutputStream()) {
                    assertTrue(client.retrieveFile("slow.bin", out), client.getReplyString());
                }
                long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                // 1 MiB at 512 KiB/s is 2 s; only a lower bound, a loaded machine may be slower.
                assertTrue(millis >= 1_500, "took only " + millis + " ms");
            } finally {
                FtpClients.disconnectQuietly(client);
            }
        }
    }

    @Test
    void countsTheBytesOfATransferTheClientAbandoned() throws IOException {
        long size = 64L * MiB;
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("big.bin", size, 4);
            FTPClient client = FtpClients.login(ftp);
            try (InputStream in = client.retrieveFileStream("big.bin")) {
                assertEquals(100 * KiB, in.readNBytes(100 * KiB).length);
                // Walk away mid-transfer, without ABOR or waiting for 226, as a crashing client does.
                in.close();
                client.disconnect();
            }
            Await.until(QUICKLY, () -> ftp.currentSessions() == 0, () -> "session still open");
            Await.until(QUICKLY, () -> ftp.bytesSent() >= 100 * KiB, () -> "sent " + ftp.bytesSent());
            assertTrue(ftp.bytesSent() < size, "sent " + ftp.bytesSent() + " of " + size);
        }
    }

    @Test
    void writeMakesDeterministicContentAndCloseDeletesTheRoot() throws IOException {
        Path root;
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            root = ftp.root();
            Path a = ftp.write("x/y/a.bin", 1_000_003, 9);
            Path b = PseudoRandomContent.write(local.resolve("b.bin"), 1_000_003, 9);
            assertEquals(Hashes.sha256(b), Hashes.sha256(a));
            assertEquals(ftp.file("/x/y/a.bin"), a);
            assertThrows(IllegalArgumentException.class, () -> ftp.file("../escape"));
        }
        assertFalse(Files.exists(root));
    }

    private static void storeAt(FtpServerFixture ftp, String name, long offset, byte[] data) throws IOException {
        FTPClient client = FtpClients.login(ftp);
        try {
            client.setRestartOffset(offset);
            assertTrue(client.storeFile(name, new ByteArrayInputStream(data)), client.getReplyString());
        } finally {
            FtpClients.disconnectQuietly(client);
        }
    }

    /** commons-net throws on 421 (the server closes the connection) but keeps the reply. */
    private static void assertRefused(FTPClient client, FtpServerFixture ftp) {
        boolean loggedIn;
        try {
            loggedIn = client.login(ftp.user(), ftp.password());
        } catch (IOException closedByServer) {
            loggedIn = false;
        }
        assertFalse(loggedIn);
        int code = client.getReplyCode();
        assertTrue(code == 421 || code == 530, "reply " + client.getReplyString());
        assertTrue(client.getReplyString().trim().length() > 4, "the reply carries the server's text");
    }
}
