package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import javax.net.ssl.SSLSocket;

import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.ftp.tls.SessionReusingFtpsClient;

/** Self-tests of {@link ExternalFtpServer} against the real servers. Run with -Dsurefire.excludedGroups= */
@Tag("interop")
class ExternalFtpServerTest {

    private static final int MIB = 1024 * 1024;

    @ParameterizedTest
    @ValueSource(strings = {ExternalFtpServer.VSFTPD, ExternalFtpServer.PROFTPD, ExternalFtpServer.PURE_FTPD})
    void storeAndRetrieveOneMebibyte(String name) throws Exception {
        ExternalFtpServer.assumeOrFail(name);
        byte[] data = randomBytes(MIB, 1);
        Set<Long> pids;
        try (ExternalFtpServer server = ExternalFtpServer.of(name, new ExternalFtpServer.Options()).start()) {
            FTPClient ftp = login(server, new FTPClient());
            try {
                assertTrue(ftp.features(), () -> ftp.getReplyString() + server.logTail());
                System.out.println("[" + name + "] FEAT:\n" + ftp.getReplyString().stripTrailing());
                assertTrue(ftp.storeFile("/one-mib.bin", new ByteArrayInputStream(data)),
                        () -> "STOR: " + ftp.getReplyString() + server.logTail());
                Path onDisk = server.root().resolve("one-mib.bin");
                assertArrayEquals(sha256(data), sha256(Files.readAllBytes(onDisk)), "file on disk");
                assertEquals("ferrytest", Files.getOwner(onDisk).getName(), "owner of the stored file");
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                assertTrue(ftp.retrieveFile("/one-mib.bin", back), () -> "RETR: " + ftp.getReplyString() + server.logTail());
                assertEquals(HexFormat.of().formatHex(sha256(data)), HexFormat.of().formatHex(sha256(back.toByteArray())));
                pids = server.serverPids();
                assertTrue(pids.size() >= 2, "listener and session process expected, got " + pids);
            } finally {
                disconnect(ftp);
            }
            // a second connection left open on purpose: close() must kill its session process too
            FTPClient leftOpen = login(server, new FTPClient());
            assertNotNull(leftOpen);
            pids = server.serverPids();
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && !isZombie(pid), "process " + pid + " of " + name + " survived close()");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ExternalFtpServer.VSFTPD, ExternalFtpServer.PROFTPD, ExternalFtpServer.PURE_FTPD})
    void rateLimitPerConnection(String name) throws Exception {
        ExternalFtpServer.assumeOrFail(name);
        long rate = 256 * 1024; // bytes/s
        int size = MIB;         // ideal 4 s
        byte[] data = randomBytes(size, 2);
        try (ExternalFtpServer server = ExternalFtpServer.of(name, new ExternalFtpServer.Options().ratePerConnection(rate)).start()) {
            Files.write(server.root().resolve("big.bin"), data);
            Files.setOwner(server.root().resolve("big.bin"), Files.getOwner(server.root()));
            FTPClient ftp = login(server, new FTPClient());
            try {
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                long t0 = System.nanoTime();
                assertTrue(ftp.retrieveFile("/big.bin", back), () -> ftp.getReplyString() + server.logTail());
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("[%s] RETR %d bytes at limit %d B/s took %.2f s (ideal %.2f s)%n",
                        name, size, rate, seconds, (double) size / rate);
                assertArrayEquals(data, back.toByteArray());
                // lower bound: at most 25 % faster than the limit allows (servers burst at the start)
                assertTrue(seconds >= 0.75 * size / rate, "rate limit not honoured: " + seconds + " s");
                assertTrue(seconds <= 4.0 * size / rate, "far slower than the limit: " + seconds + " s");
            } finally {
                disconnect(ftp);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ExternalFtpServer.VSFTPD, ExternalFtpServer.PROFTPD, ExternalFtpServer.PURE_FTPD})
    void maxPerIpRefusesTheThirdLogin(String name) throws Exception {
        ExternalFtpServer.assumeOrFail(name);
        try (ExternalFtpServer server = ExternalFtpServer.of(name, new ExternalFtpServer.Options().maxPerIp(2)).start()) {
            List<FTPClient> clients = new ArrayList<>();
            try {
                clients.add(login(server, new FTPClient()));
                clients.add(login(server, new FTPClient()));
                FTPClient third = new FTPClient();
                clients.add(third);
                third.setConnectTimeout(5000);
                third.setDefaultTimeout(5000);
                int code;
                String text;
                try {
                    third.connect(server.host(), server.port());
                    code = third.getReplyCode();
                    text = third.getReplyString().stripTrailing();
                    if (FTPReply.isPositiveCompletion(code)) { // banner fine, refused after PASS (proftpd)
                        third.login(server.user(), server.password());
                        code = third.getReplyCode();
                        text = third.getReplyString().stripTrailing();
                    }
                } catch (FTPConnectionClosedException closed) { // commons-net throws on a 421 and hangs up
                    code = third.getReplyCode();
                    text = third.getReplyString() == null ? closed.getMessage() : third.getReplyString().stripTrailing();
                }
                System.out.println("[" + name + "] third connection with maxPerIp(2): " + text);
                int refused = code;
                assertTrue(refused == 421 || refused == 530, () -> "expected 421/530, got " + refused + "\n" + server.logTail());
            } catch (IOException e) {
                fail(e + "\n" + server.logTail(), e);
            } finally {
                clients.forEach(ExternalFtpServerTest::disconnect);
            }
        }
    }

    @Test
    void proftpdWithoutStoreRestartRefusesRestStor() throws Exception {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.PROFTPD);
        try (ExternalFtpServer server = ExternalFtpServer.proftpd(new ExternalFtpServer.Options().allowStoreRestart(false)).start()) {
            FTPClient ftp = login(server, new FTPClient());
            try {
                assertTrue(ftp.storeFile("/r.bin", new ByteArrayInputStream(randomBytes(1000, 3))));
                ftp.setRestartOffset(500);
                boolean ok = ftp.storeFile("/r.bin", new ByteArrayInputStream(randomBytes(500, 4)));
                int code = ftp.getReplyCode();
                System.out.println("[proftpd] REST 500 + STOR with AllowStoreRestart off: " + ftp.getReplyString().stripTrailing());
                assertFalse(ok);
                assertTrue(code >= 400 && code < 600, "expected 4xx/5xx, got " + code);
                ftp.setRestartOffset(0);
                boolean appended = ftp.appendFile("/r.bin", new ByteArrayInputStream(new byte[10]));
                System.out.println("[proftpd] APPE with AllowStoreRestart off: " + ftp.getReplyString().stripTrailing());
                assertFalse(appended);
                assertEquals(1000, Files.size(server.root().resolve("r.bin")));
            } finally {
                disconnect(ftp);
            }
        }
    }

    @Test
    void proftpdWithStoreRestartWritesInPlace() throws Exception {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.PROFTPD);
        try (ExternalFtpServer server = ExternalFtpServer.proftpd(new ExternalFtpServer.Options()).start()) {
            FTPClient ftp = login(server, new FTPClient());
            try {
                byte[] first = randomBytes(1000, 5);
                assertTrue(ftp.storeFile("/r.bin", new ByteArrayInputStream(first)));
                ftp.setRestartOffset(200);
                byte[] patch = randomBytes(100, 6);
                assertTrue(ftp.storeFile("/r.bin", new ByteArrayInputStream(patch)), ftp.getReplyString());
                byte[] expected = first.clone();
                System.arraycopy(patch, 0, expected, 200, 100);
                assertArrayEquals(expected, Files.readAllBytes(server.root().resolve("r.bin")),
                        "REST+STOR must write in place without truncating");
            } finally {
                disconnect(ftp);
            }
        }
    }

    /** Plain commons-net FTPSClient against vsftpd's require_ssl_reuse=YES: documents what happens. */
    @Test
    void vsftpdTlsPlainFtpsClient() throws Exception {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.VSFTPD);
        try (SelfSignedCertificate cert = SelfSignedCertificate.create();
             ExternalFtpServer server = ExternalFtpServer.vsftpd(
                     new ExternalFtpServer.Options().tls(cert.certPem(), cert.keyPem())).start()) {
            FTPSClient ftps = new FTPSClient(false, cert.clientContext());
            try {
                loginTls(server, ftps);
                boolean stored;
                try {
                    stored = ftps.storeFile("/plain-ftps.bin", new ByteArrayInputStream(randomBytes(1000, 7)));
                } catch (IOException e) { // the server may hang up the data connection while we write
                    stored = false;
                    ftps.getReply();
                }
                String reply = ftps.getReplyString().stripTrailing();
                System.out.println("[vsftpd] plain FTPSClient, PROT P, STOR: " + stored + " / " + reply
                        + " / TLS " + ((SSLSocket) socketOf(ftps)).getSession().getProtocol());
                assertFalse(stored, "vsftpd require_ssl_reuse=YES should refuse plain FTPSClient's data connection");
                assertEquals(522, ftps.getReplyCode(), reply);
                assertTrue(reply.contains("session reuse required"), reply);
            } finally {
                disconnect(ftps);
            }
        }
    }

    @Test
    void vsftpdTlsWithSessionReuse() throws Exception {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.VSFTPD);
        try (SelfSignedCertificate cert = SelfSignedCertificate.create();
             ExternalFtpServer server = ExternalFtpServer.vsftpd(
                     new ExternalFtpServer.Options().tls(cert.certPem(), cert.keyPem())).start()) {
            FTPSClient ftps = new SessionReusingFtpsClient(cert.clientContext());
            try {
                tlsRoundTrips(server, ftps);
            } catch (IOException e) {
                fail(e + " / last reply " + ftps.getReplyString() + "\n" + server.logTail(), e);
            } finally {
                disconnect(ftps);
            }
        }
    }

    private static void tlsRoundTrips(ExternalFtpServer server, FTPSClient ftps) throws Exception {
        loginTls(server, ftps);
        System.out.println("[vsftpd] FTPS FEAT:\n" + (ftps.features() ? ftps.getReplyString().stripTrailing() : "-"));
        for (int i = 0; i < 3; i++) { // several data connections on one control session
            byte[] data = randomBytes(MIB / 4, 10 + i);
            assertTrue(ftps.storeFile("/tls-" + i + ".bin", new ByteArrayInputStream(data)),
                    () -> "STOR over TLS: " + ftps.getReplyString() + server.logTail());
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            assertTrue(ftps.retrieveFile("/tls-" + i + ".bin", back),
                    () -> "RETR over TLS: " + ftps.getReplyString() + server.logTail());
            assertArrayEquals(sha256(data), sha256(back.toByteArray()));
        }
        SSLSocket control = (SSLSocket) socketOf(ftps);
        System.out.println("[vsftpd] SessionReusingFtpsClient, PROT P: 3 x STOR+RETR ok, control "
                + control.getSession().getProtocol() + " " + control.getSession().getCipherSuite());
    }

    @Test
    void selfSignedCertificateHasATruststore() throws Exception {
        try (SelfSignedCertificate cert = SelfSignedCertificate.create()) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(cert.truststore())) {
                ks.load(in, cert.truststorePassword().toCharArray());
            }
            assertEquals(cert.certificate(), ks.getCertificate(SelfSignedCertificate.ALIAS));
            assertEquals("CN=127.0.0.1", cert.certificate().getSubjectX500Principal().getName());
        }
    }

    @Test
    void startFailureCarriesTheLogTail() {
        ExternalFtpServer.assumeOrFail(ExternalFtpServer.PROFTPD);
        ExternalFtpServer server = ExternalFtpServer.proftpd(new ExternalFtpServer.Options().extra("NoSuchDirective on"));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("NoSuchDirective"), e.getMessage());
        server.close();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static <C extends FTPClient> C login(ExternalFtpServer server, C ftp) throws IOException {
        ftp.setConnectTimeout(5000);
        ftp.setDefaultTimeout(10000);
        ftp.setDataTimeout(java.time.Duration.ofSeconds(30));
        ftp.connect(server.host(), server.port());
        assertTrue(FTPReply.isPositiveCompletion(ftp.getReplyCode()), () -> "banner: " + ftp.getReplyString() + server.logTail());
        assertTrue(ftp.login(server.user(), server.password()), () -> "login: " + ftp.getReplyString() + server.logTail());
        ftp.enterLocalPassiveMode();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        return ftp;
    }

    private static void loginTls(ExternalFtpServer server, FTPSClient ftps) throws IOException {
        login(server, ftps);
        ftps.execPBSZ(0);
        ftps.execPROT("P");
    }

    private static Socket socketOf(FTPClient ftp) throws Exception {
        java.lang.reflect.Field f = org.apache.commons.net.SocketClient.class.getDeclaredField("_socket_");
        f.setAccessible(true);
        return (Socket) f.get(ftp);
    }

    private static void disconnect(FTPClient ftp) {
        try {
            if (ftp.isConnected()) {
                try {
                    ftp.logout();
                } catch (IOException ignored) {
                    // already gone
                }
                ftp.disconnect();
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
