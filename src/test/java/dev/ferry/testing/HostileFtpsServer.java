package dev.ferry.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small explicit-FTPS server on real sockets (127.0.0.1, free ports) that serves one file, {@code /a.bin}, for
 * downloads, and behaves as a broken or hostile server on its data connections as a test says ({@link Data}). Enough
 * FTP for Ferry's downloads: AUTH TLS, PBSZ, PROT, USER/PASS, FEAT, TYPE, EPSV/PASV, SIZE, MDTM, REST, RETR, NOOP.
 * Every command it read is kept ({@link #commands()}).
 */
public final class HostileFtpsServer implements AutoCloseable {
    /** What a RETR's data connection does. */
    public enum Data {
        /** TLS, the whole file, close_notify, 226. */
        WELL,
        /** PROT P answered 200, then the data sent in plain TCP, no TLS on the data connection (a PROT C server). */
        PLAIN,
        /** TLS, half the file, then a TCP FIN without close_notify, and 226 on the control connection. */
        FIN_HALFWAY,
        /** TLS, half the file, then close_notify, and 226 on the control connection. */
        CLOSE_NOTIFY_HALFWAY,
        /** TLS, half the file, then a TCP RST, and 226 on the control connection. */
        RST_HALFWAY,
        /** The data connection accepted, its TLS handshake never answered. */
        STALL_HANDSHAKE,
        /** TLS, half the file, a renegotiation the server starts (TLS 1.2), the rest, close_notify, 226. */
        RENEGOTIATE_HALFWAY,
        /** TLS, the file from the offset, then bytes without end, the client's close_notify unheeded, until it cuts. */
        ENDLESS
    }

    private final ServerSocket control;
    private final SSLContext tls;
    private final SSLContext dataTls;
    private final byte[] file;
    private final Data data;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger retrs = new AtomicInteger();
    private volatile boolean closed;
    private volatile String protReply = "200 PROT now P";
    private volatile boolean stallAuth;

    /** How PROT is answered (default {@code 200}). */
    public HostileFtpsServer protReply(String reply) {
        this.protReply = reply;
        return this;
    }

    private volatile boolean plainAfterAuth;
    private volatile boolean protAfterLogin;

    /**
     * PBSZ and PROT refused before the login ("530 Please login with USER and PASS"), as pyftpdlib and libunftp did
     * for years and drftpd does: the order curl, lftp and FileZilla use, after USER/PASS, is the one they take.
     */
    public HostileFtpsServer protAfterLoginOnly() {
        this.protAfterLogin = true;
        return this;
    }

    /** AUTH TLS answered 234, and the control connection then goes on in plain text, no TLS. */
    public HostileFtpsServer plainAfterAuth() {
        this.plainAfterAuth = true;
        return this;
    }

    /** AUTH TLS answered 234, and the control connection's handshake then never answered. */
    public HostileFtpsServer stallAuth() {
        this.stallAuth = true;
        return this;
    }

    private HostileFtpsServer(ServerCertificate certificate, ServerCertificate dataCertificate, byte[] file, Data data)
            throws Exception {
        tls = context(certificate);
        dataTls = dataCertificate == certificate ? tls : context(dataCertificate);
        this.file = file;
        this.data = data;
        control = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "hostile-ftps");
        t.setDaemon(true);
        t.start();
    }

    public static HostileFtpsServer start(ServerCertificate certificate, byte[] file, Data data) {
        return start(certificate, certificate, file, data);
    }

    /** A server whose data connections show {@code dataCertificate}, another than its control connection's. */
    public static HostileFtpsServer start(ServerCertificate certificate, ServerCertificate dataCertificate, byte[] file,
                                          Data data) {
        try {
            return new HostileFtpsServer(certificate, dataCertificate, file, data);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the hostile FTPS server", e);
        }
    }

    private static SSLContext context(ServerCertificate certificate) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificate.keyStore())) {
            store.load(in, ServerCertificate.PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, ServerCertificate.PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    public String host() {
        return "127.0.0.1";
    }

    /**
     * A profile for this server: explicit FTPS, a user with {@code password}, {@code trustStore} (with
     * {@link ServerCertificate#PASSWORD}), two connections and {@code timeout} for connecting, control and data.
     */
    public dev.ferry.ftp.ServerProfile.Builder profile(String name, String password, java.nio.file.Path trustStore,
            java.time.Duration timeout) {
        return dev.ferry.ftp.ServerProfile.builder(name).host(host()).port(port()).user("ferry").password(password)
                .tls(dev.ferry.ftp.TlsMode.EXPLICIT).trustStore(trustStore)
                .trustStorePassword(dev.ferry.ftp.Secret.of(ServerCertificate.PASSWORD)).connectionLimit(2)
                .connectTimeout(timeout).soTimeout(timeout).dataTimeout(timeout);
    }

    /** Downloads {@code /a.bin} from {@code profile} to {@code target} on an engine of its own, its ledger in {@code work}. */
    public static void download(java.nio.file.Path work, dev.ferry.ftp.ServerProfile profile, java.nio.file.Path target,
            dev.ferry.plan.TransferOptions options) throws Exception {
        try (dev.ferry.ledger.JdbcLedger ledger = dev.ferry.ledger.JdbcLedger.h2(work.resolve("ledger"));
             dev.ferry.transfer.TransferEngine engine = new dev.ferry.transfer.TransferEngine(ledger,
                     new dev.ferry.ftp.ServerProfiles().add(profile), dev.ferry.plan.TransferOptions.none(),
                     java.time.Duration.ofMillis(200))) {
            engine.run(new dev.ferry.plan.TransferRequest(dev.ferry.plan.Direction.DOWNLOAD, profile.name(), "/a.bin",
                    target.toString(), options));
        }
    }

    public int port() {
        return control.getLocalPort();
    }

    public List<String> commands() {
        return commands;
    }

    public int retrs() {
        return retrs.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = control.accept();
                open.add(s);
                Thread t = new Thread(() -> session(s), "hostile-ftps-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket plain) {
        try {
            Socket s = plain;
            BufferedReader in = reader(s);
            OutputStream out = s.getOutputStream();
            reply(out, "220 hostile FTPS");
            long rest = 0;
            boolean loggedIn = false;
            ServerSocket passive = null;
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line.startsWith("PASS") ? "PASS ****" : line);
                String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
                String arg = line.contains(" ") ? line.substring(line.indexOf(' ') + 1) : "";
                switch (verb) {
                    case "AUTH" -> {
                        reply(out, "234 AUTH TLS ok");
                        while (stallAuth && !closed && !s.isClosed()) {
                            Thread.sleep(50);
                        }
                        if (plainAfterAuth) {
                            reply(out, "200 carry on in plain");
                            continue;
                        }
                        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, host(), s.getPort(), true);
                        ssl.setUseClientMode(false);
                        ssl.startHandshake();
                        s = ssl;
                        open.add(s);
                        in = reader(s);
                        out = s.getOutputStream();
                    }
                    case "PBSZ" -> reply(out, protAfterLogin && !loggedIn ? "530 Please login with USER and PASS"
                            : "200 PBSZ=0");
                    case "PROT" -> reply(out, protAfterLogin && !loggedIn ? "530 Please login with USER and PASS"
                            : protReply);
                    case "USER" -> reply(out, "331 password please");
                    case "PASS" -> {
                        loggedIn = true;
                        reply(out, "230 logged in");
                    }
                    case "FEAT" -> reply(out, "211-Features:\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n PBSZ\r\n PROT\r\n211 End");
                    case "TYPE" -> reply(out, "200 binary");
                    case "PWD" -> reply(out, "257 \"/\"");
                    case "SIZE" -> reply(out, arg.endsWith("a.bin") ? "213 " + file.length : "550 no such file");
                    case "MDTM" -> reply(out, arg.endsWith("a.bin") ? "213 20260101000000" : "550 no such file");
                    case "REST" -> {
                        rest = Long.parseLong(arg.trim());
                        reply(out, "350 restarting at " + rest);
                    }
                    case "EPSV", "PASV" -> {
                        if (passive != null) {
                            passive.close();
                        }
                        passive = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                        int p = passive.getLocalPort();
                        reply(out, verb.equals("EPSV") ? "229 Entering Extended Passive Mode (|||" + p + "|)"
                                : "227 Entering Passive Mode (127,0,0,1," + (p >> 8) + "," + (p & 255) + ")");
                    }
                    case "RETR" -> {
                        retrs.incrementAndGet();
                        reply(out, "150 here it comes");
                        send(passive, (int) rest);
                        passive = null;
                        rest = 0;
                        reply(out, "226 transfer complete");
                    }
                    case "NOOP" -> reply(out, "200 ok");
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        s.close();
                        return;
                    }
                    default -> reply(out, "502 not here");
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            // The client went away, or a test's hostility ended the session: nothing to do.
        }
    }

    private void send(ServerSocket passive, int from) throws IOException {
        Socket d = passive.accept();
        passive.close();
        open.add(d);
        int half = from + (file.length - from) / 2;
        switch (data) {
            case PLAIN -> {
                d.getOutputStream().write(file, from, file.length - from);
                d.close();
            }
            case STALL_HANDSHAKE -> {
                // Reads the ClientHello and never answers; the test's close ends it.
                d.getInputStream().read(new byte[4096]);
                while (!closed && !d.isClosed()) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            default -> {
                SSLSocket ssl = (SSLSocket) dataTls.getSocketFactory().createSocket(d, host(), d.getPort(), true);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                OutputStream out = ssl.getOutputStream();
                if (data == Data.ENDLESS) {
                    out.write(file, from, file.length - from);
                    byte[] more = new byte[16384];
                    while (!closed) {
                        out.write(more); // until the client's close or cut fails the write
                    }
                } else if (data == Data.RENEGOTIATE_HALFWAY) {
                    out.write(file, from, half - from);
                    out.flush();
                    ssl.startHandshake();
                    out.write(file, half, file.length - half);
                    out.flush();
                    ssl.close();
                } else if (data == Data.WELL) {
                    out.write(file, from, file.length - from);
                    out.flush();
                    ssl.close();
                } else {
                    out.write(file, from, half - from);
                    out.flush();
                    if (data == Data.RST_HALFWAY) {
                        d.setSoLinger(true, 0); // the close sends a RST
                        d.close();
                    } else if (data == Data.FIN_HALFWAY) {
                        d.shutdownOutput(); // a FIN under TLS: no close_notify
                        drain(d);
                        d.close();
                    } else {
                        ssl.close(); // close_notify, early
                    }
                }
            }
        }
    }

    private static void drain(Socket d) {
        try {
            d.setSoTimeout(5000);
            d.getInputStream().read(new byte[4096]);
        } catch (IOException ignored) {
            // The client closed or sent its own alert: done either way.
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            control.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing all there is.
            }
        }
    }
}
