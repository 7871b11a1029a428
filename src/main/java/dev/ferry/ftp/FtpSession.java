package dev.ferry.ftp;

import dev.ferry.Printable;
import dev.ferry.ftp.tls.SessionReusingFtpsClient;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Calendar;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * One logged-in control connection. It keeps commons-net's {@link FTPClient} at arm's length: every reply is
 * checked here and turned into a value or an {@link FtpException} carrying the server's text, and the state a
 * transfer depends on (binary type, passive mode, charset) is set once in {@link #open} and never drifts.
 *
 * <p>Not thread safe: one session belongs to one segment worker at a time. After any I/O failure the session is
 * {@link #isBroken() broken} and must be closed, not reused: the control connection may hold stray replies.
 */
public final class FtpSession implements Closeable {
    private static final Pattern HASH_REPLY = Pattern.compile("^213\\s+(\\S+)\\s+\\S+\\s+([0-9a-fA-F]+)\\b.*");
    private static final Pattern X_HASH_REPLY = Pattern.compile("^2\\d\\d\\s+(?:\\S+\\s+)?([0-9a-fA-F]{8,})\\b.*");

    private static final int DATA_RECEIVE_BUFFER = 512 * 1024;
    private static final int BROKEN_TLS_CLOSE_MILLIS = 200;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FtpSession.class);
    /** Servers whose unusable hash reply was said already (once a process each: it repeats for every file). */
    private static final java.util.Set<String> UNUSABLE_HASH_SAID = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ServerProfile profile;
    private final FTPClient client;
    private final Features features;
    private final boolean utf8;
    /** Volatile: {@link #cut} marks it from another thread (a cancel, the stall check). */
    private volatile boolean broken;
    /** Data connections opened on this session (STOR, APPE, RETR). */
    private int transfers;
    private long lastAnswer = System.nanoTime();
    /**
     * Directories this session made or found: a burst of uploads into one directory asks once, not with MKD and a
     * CWD round trip per file. Forgotten when a STOR or APPE is refused, so a directory removed meanwhile is made
     * again.
     */
    private final Set<String> knownDirs = new HashSet<>();
    /** The algorithm the last OPTS HASH selected on this session, so it is sent once per session, not per file. */
    private String hashSelected;

    private FtpSession(ServerProfile profile, FTPClient client, Features features, boolean utf8) {
        this.profile = profile;
        this.client = client;
        this.features = features;
        this.utf8 = utf8;
    }

    /**
     * Connects, logs in, reads FEAT and settles the control charset, binary type and passive mode.
     *
     * @param knownUtf8 what an earlier probe found (null when unknown): lets the session pick the charset before
     *                  connecting, because commons-net fixes the control charset at connect time
     */
    public static FtpSession open(ServerProfile profile, Boolean knownUtf8) throws IOException {
        Charset charset = Boolean.FALSE.equals(knownUtf8) ? profile.fallbackCharset() : StandardCharsets.UTF_8;
        FtpSession session = connect(profile, charset);
        if (knownUtf8 == null && !session.utf8 && !charset.equals(profile.fallbackCharset())) {
            session.close();
            session = connect(profile, profile.fallbackCharset());
        }
        return session;
    }

    private static FtpSession connect(ServerProfile profile, Charset charset) throws IOException {
        return connect(profile, charset, false);
    }

    private static FtpSession connect(ServerProfile profile, Charset charset, boolean tls13) throws IOException {
        FTPClient client = profile.tls() == TlsMode.EXPLICIT ? Tls.client(profile, tls13) : new ListingClient();
        client.setParserFactory(new ListingLines.ListParsers());
        javax.net.SocketFactory direct = DirectSockets.factory();
        if (direct != null) {
            client.setSocketFactory(direct); // control and passive data sockets alike
        }
        client.setControlEncoding(charset.name());
        // A reply of its code alone ("421", as a server refusing one more connection may send) is a reply, not a
        // malformed one; a reply cut short elsewhere still fails as one.
        client.setStrictReplyParsing(false);
        client.setConnectTimeout(millis(profile.connectTimeout()));
        client.setDefaultTimeout(millis(profile.soTimeout()));
        client.setDataTimeout(profile.dataTimeout());
        // A segment stops before the file ends: whatever the server pushed into the socket buffers past that
        // point is sent in vain. A bounded receive window keeps that waste small without slowing the stream.
        client.setReceiveBufferSize(DATA_RECEIVE_BUFFER);
        // Where a server announces an unroutable PASV address, reach it at the control host instead.
        client.setPassiveNatWorkaroundStrategy(host -> profile.host());
        String where = profile.toString();
        try {
            try {
                client.connect(profile.host(), profile.port());
            } catch (java.net.UnknownHostException e) {
                // The resolver's answer: waiting or trying again does not make a mistyped name exist.
                disconnectQuietly(client);
                throw new FtpException("cannot reach " + where + ": unknown host " + e.getMessage(), 0, false, e);
            } catch (java.net.ConnectException | java.net.NoRouteToHostException | SocketTimeoutException e) {
                // Refused, unreachable, or no banner in time: nothing answered, an outage rather than a refusal. An
                // explicit FTPS server that took AUTH TLS (234) and then left the handshake unanswered is waited for
                // the same way, but said so: "cannot reach" alone sent people to check a network that worked.
                int answered = client.getReplyCode();
                disconnectQuietly(client);
                String why = client instanceof FTPSClient && answered == 234
                        ? "it accepted AUTH TLS (234) and then did not answer the TLS handshake (" + describe(e) + ")"
                        : describe(e);
                throw new ServerUnreachableException("cannot reach " + where + ": " + why, e);
            }
            client.setSoTimeout(millis(profile.soTimeout()));
            int banner = client.getReplyCode();
            if (!FTPReply.isPositiveCompletion(banner)) {
                String text = client.getReplyString();
                if (TooManyConnectionsException.saysTooMany(banner, text)) {
                    throw new TooManyConnectionsException("server " + where + " refused another connection: "
                            + TooManyConnectionsException.reason(banner, text), banner);
                }
                throw FtpException.reply("connecting to " + where, banner, text);
            }
            // AUTH TLS already happened in connect(); PBSZ/PROT protect the data connections too, before the login
            // where the server takes them then, else after it.
            boolean protectAfterLogin = client instanceof FTPSClient tls && !Tls.protectDataBeforeLogin(tls, where);
            login(client, profile);
            if (protectAfterLogin) {
                Tls.protectData((FTPSClient) client, where);
            }
            Features features = Features.parse(client.features() ? client.getReplyStrings() : null);
            boolean utf8 = charset.equals(StandardCharsets.UTF_8) && negotiateUtf8(client, features);
            check(client.setFileType(FTP.BINARY_FILE_TYPE), client, "TYPE I on " + where);
            client.enterLocalPassiveMode();
            client.setUseEPSVwithIPv4(profile.epsv());
            return new FtpSession(profile, client, features, utf8 || features.has("UTF8"));
        } catch (FtpException e) {
            disconnectQuietly(client);
            throw e;
        } catch (FTPConnectionClosedException e) {
            // commons-net closes on a 421 itself: at the banner (vsftpd, pure-ftpd) or after USER/PASS.
            disconnectQuietly(client);
            String text = client.getReplyString() == null ? "" : client.getReplyString().strip();
            if (TooManyConnectionsException.saysTooMany(client.getReplyCode(), text)) {
                throw new TooManyConnectionsException("server " + where + " refused another connection: "
                        + TooManyConnectionsException.reason(client.getReplyCode(), text), client.getReplyCode());
            }
            throw new FtpException("server " + where + " closed the connection"
                    + (text.isEmpty() ? " without a reply" : ": " + text), client.getReplyCode(), true, e);
        } catch (javax.net.ssl.SSLHandshakeException e) {
            disconnectQuietly(client);
            if (!tls13 && Tls.versionRefused(e)) {
                // A server that speaks only TLS 1.3: Ferry offers 1.2 first for the session reuse data connections
                // need (SessionReusingFtpsClient), and 1.3 only where 1.2 is refused — on every connection, not
                // remembered: a refusal for another reason (a server's TLS broken for a while) would otherwise keep
                // a server that requires reuse on 1.3, where the JDK cannot resume its sessions, until a restart.
                return connect(profile, charset, true);
            }
            TlsCertificateException certificate = Tls.refusedCertificate(e, where, false);
            if (certificate != null) {
                throw certificate;
            }
            throw new FtpException("TLS handshake with " + where + " failed: " + describe(e), 0, true, e);
        } catch (javax.net.ssl.SSLException e) {
            int code = client.getReplyCode();
            String reply = e.getMessage() == null ? String.valueOf(code) : e.getMessage().strip();
            disconnectQuietly(client);
            if (client instanceof FTPSClient && FTPReply.isPositiveCompletion(code)
                    && dev.ferry.ftp.tls.PlainDataException.saidBy(e)) {
                throw new TlsRefusedException(where, code, e);
            }
            // 5xx, and 431 ("need some unavailable resource", Apache FtpServer's answer without TLS); 421 and the
            // other 4xx stay what they were: a server busy now, tried again.
            if (client instanceof FTPSClient && (code >= 500 || code == 431) && reply.startsWith(String.valueOf(code))) {
                // commons-net's answer to a refused AUTH TLS (the reply as its message): trying again (it was retried
                // as an outage) cannot help.
                throw new TlsRefusedException(where, code, reply, e);
            }
            throw new FtpException("cannot reach " + where + ": " + describe(e), 0, true, e);
        } catch (IOException e) {
            disconnectQuietly(client);
            throw new FtpException("cannot reach " + where + ": " + describe(e), 0, true, e);
        }
    }

    private static void login(FTPClient client, ServerProfile profile) throws IOException {
        if (client.login(profile.user(), profile.password().reveal())) {
            return;
        }
        int code = client.getReplyCode();
        String text = client.getReplyString() == null ? "" : client.getReplyString().strip();
        if (TooManyConnectionsException.saysTooMany(code, text)) {
            throw new TooManyConnectionsException("server " + profile + " refused another login: "
                    + TooManyConnectionsException.reason(code, text), code);
        }
        if (code >= 500) {
            throw new LoginRefusedException("login as '" + profile.user() + "' refused by " + profile.host() + ":"
                    + profile.port() + " (" + text + "); check the user and password of server profile '"
                    + profile.name() + "'", code);
        }
        throw FtpException.reply("login to " + profile, code, text);
    }

    /** {@code OPTS UTF8 ON} where offered; some servers list UTF8 and still answer 504, and that is fine. */
    private static boolean negotiateUtf8(FTPClient client, Features features) throws IOException {
        if (!features.has("UTF8")) {
            return false;
        }
        int code = client.sendCommand("OPTS", "UTF8 ON");
        return FTPReply.isPositiveCompletion(code) || features.has("UTF8");
    }

    public ServerProfile profile() {
        return profile;
    }

    public boolean utf8() {
        return utf8;
    }

    Features features() {
        return features;
    }

    /** Data connections this session has opened (STOR, APPE, RETR), whatever became of them. */
    public int transfers() {
        return transfers;
    }

    public boolean isBroken() {
        return broken || !client.isConnected();
    }

    /** Size in bytes, or -1 when the server has no SIZE command. */
    public long size(String path) throws IOException {
        int code = command("SIZE", path);
        if (code == 213) {
            try {
                return Long.parseLong(lastReply().substring(3).strip().split("\\s+")[0]);
            } catch (RuntimeException e) {
                throw garbled(e);
            }
        }
        if (code == 550) {
            throw new RemoteNotFoundException("remote file " + path + " not found on " + profile + ": "
                    + lastReply().strip(), code);
        }
        if (code == 500 || code == 502 || code == 504) {
            return -1;
        }
        throw FtpException.reply("SIZE " + path + " on " + profile, code, lastReply());
    }

    /** The modification time (epoch millis) by MDTM alone, -1 when the server has no MDTM or gives none. */
    public long modified(String path) throws IOException {
        if (!features.has("MDTM")) {
            return -1;
        }
        Instant modified = guard(() -> client.mdtmInstant(path));
        return modified == null ? -1 : modified.toEpochMilli();
    }

    /** Size and modification time of a remote file, from MLST where offered, else SIZE and MDTM. */
    public RemoteFile stat(String path) throws IOException {
        if (features.has("MLST")) {
            FTPFile file = guard(() -> client.mlistFile(path));
            // An entry for another name is no answer: Apache FtpServer reads a name with '?' or '*' as a pattern and
            // answers with the parent folder's entry, which made "what?.txt" a folder that already exists.
            if (file != null && file.getSize() >= 0 && namesItself(file, path)) {
                Calendar ts = file.getTimestamp();
                return new RemoteFile(path, file.getSize(), ts == null ? -1 : ts.getTimeInMillis(),
                        file.isDirectory());
            }
            if (client.getReplyCode() == 550) {
                throw new RemoteNotFoundException("remote file " + path + " not found on " + profile + ": "
                        + lastReply().strip(), 550);
            }
        }
        long size = size(path);
        long mtime = -1;
        if (features.has("MDTM")) {
            Instant modified = guard(() -> client.mdtmInstant(path));
            if (modified != null) {
                mtime = modified.toEpochMilli();
            }
        }
        if (size < 0) {
            // Neither MLST nor SIZE (RFC 959 has only LIST): the file's own listing line says its size.
            FTPFile listed = listedAlone(path);
            if (listed != null) {
                size = listed.getSize();
                if (mtime < 0 && listed.getTimestamp() != null) {
                    mtime = listed.getTimestamp().getTimeInMillis();
                }
            }
        }
        return new RemoteFile(path, size, mtime, false);
    }

    /** {@code LIST path}'s one entry when it is a file of that name with a size; null otherwise. */
    private FTPFile listedAlone(String path) throws IOException {
        FTPFile[] files = guard(() -> client.listFiles(path));
        if (files == null || files.length != 1 || files[0] == null || !files[0].isFile() || files[0].getSize() < 0
                || !namesItself(files[0], path)) {
            return null;
        }
        return files[0];
    }

    /** Whether an MLST entry is for {@code path}'s last name (servers give the path as asked, or only the name). */
    private static boolean namesItself(FTPFile file, String path) {
        String name = file.getName();
        if (name == null) {
            return false;
        }
        String asked = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1).equals(asked.substring(asked.lastIndexOf('/') + 1));
    }

    /** True when the path exists (file or directory); uses SIZE/MLST, not a listing. */
    public boolean exists(String path) throws IOException {
        try {
            stat(path);
            return true;
        } catch (RemoteNotFoundException e) {
            return isDirectory(path);
        }
    }

    /** True when {@code path} is a directory this login can enter (CWD there and back). */
    public boolean isDirectory(String path) throws IOException {
        String home = guard(client::printWorkingDirectory);
        boolean cd = guard(() -> client.changeWorkingDirectory(path));
        // Left in another directory, the session would resolve its next caller's relative paths there: not reusable.
        if (cd && (home == null || !guard(() -> client.changeWorkingDirectory(home)))) {
            broken = true;
        }
        return cd;
    }

    /**
     * The entries of a remote directory, handed to {@code each} one by one: MLSD where the server offers MLST (exact
     * sizes, times to the second, types), else LIST as commons-net parses it (hidden names included). Names are
     * decoded with this session's charset, so a byte it cannot decode shows as U+FFFD. A line no parser understands
     * arrives as null. commons-net holds one directory's raw lines while they are handed out (a caller bounds
     * what it keeps of them).
     *
     * @return true when the listing came from MLSD (its times are exact; LIST's may be to the minute or day)
     * @throws RemoteNotFoundException when the directory is not there (550)
     */
    public boolean list(String dir, java.util.function.Consumer<FTPFile> each) throws IOException {
        boolean machine = features.has("MLST");
        client.setListHiddenFiles(true);
        ListingLines.takeCut();
        org.apache.commons.net.ftp.FTPListParseEngine listing =
                guard(() -> machine ? client.initiateMListParsing(dir) : client.initiateListParsing(dir));
        int code = client.getReplyCode();
        if (ListingLines.takeCut()) {
            // Read no further (ListingLines.MAX_LINES): the reply is the server's to our close of the data connection
            // (426, or a 226 while its last bytes were in flight), and whatever it says next is not worth waiting for.
            broken = true;
            code = 226;
        }
        if (code == 550 || code == 450) {
            throw new RemoteNotFoundException("remote directory " + dir + " cannot be listed on " + profile + ": "
                    + lastReply().strip(), code);
        }
        if (!FTPReply.isPositiveCompletion(code)) {
            throw FtpException.reply((machine ? "MLSD " : "LIST ") + dir + " on " + profile, code, lastReply());
        }
        java.util.function.Consumer<FTPFile> to = machine ? each : new OwnLineCheck(dir, each);
        while (listing.hasNext()) {
            // One line at a time: a parser that throws on a line (commons-net's MLSD parser did on proftpd's
            // "perm=;", see TolerantMlsd) would take the whole listing with it. The engine has moved past the line
            // when its parser throws, so the line is handed on as not understood.
            FTPFile[] one;
            try {
                one = listing.getNext(1);
            } catch (RuntimeException unparsable) {
                one = new FTPFile[] {null};
            }
            for (FTPFile f : one) {
                to.accept(f);
            }
        }
        if (to instanceof OwnLineCheck check) {
            if (check.ownLine()) {
                throw new RemoteNotFoundException("remote directory " + dir + " cannot be listed on " + profile
                        + ": the server listed the folder itself, not what is in it (vsftpd does so for a folder the"
                        + " user may not read)", 550);
            }
            check.flush();
        }
        return machine;
    }

    /**
     * vsftpd answers LIST of a folder it cannot open with that folder's own line, as {@code ls -d} would (and an
     * empty listing for one that is not there): read as the folder's content, it made a folder of the same name
     * below it and let a mirror's delete clear the local copy. A listing of hidden files ({@code LIST -a}) of a
     * folder that could be read has its "." entry; one made of a single folder line of the folder's own name and no
     * "." is that answer. The first line is held back until the second shows it is not.
     */
    private static final class OwnLineCheck implements java.util.function.Consumer<FTPFile> {
        private final String name;
        private final java.util.function.Consumer<FTPFile> each;
        private FTPFile held;
        private int seen;

        OwnLineCheck(String dir, java.util.function.Consumer<FTPFile> each) {
            String trimmed = dir.endsWith("/") && dir.length() > 1 ? dir.substring(0, dir.length() - 1) : dir;
            this.name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
            this.each = each;
        }

        @Override
        public void accept(FTPFile f) {
            seen++;
            if (seen == 1) {
                held = f;
                return;
            }
            if (seen == 2) {
                each.accept(held);
                held = null;
            }
            each.accept(f);
        }

        boolean ownLine() {
            return seen == 1 && held != null && held.isDirectory() && !name.isEmpty() && name.equals(held.getName());
        }

        void flush() {
            if (seen == 1) {
                each.accept(held);
                held = null;
            }
        }
    }

    /**
     * Sets a remote file's modification time (MFMT), so a later mirror run can tell it is unchanged; false where
     * the server has no MFMT or refuses it.
     */
    public boolean setModified(String path, long epochMillis) throws IOException {
        if (!features.has("MFMT")) {
            return false;
        }
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(java.time.ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(epochMillis));
        return FTPReply.isPositiveCompletion(command("MFMT", stamp + " " + path));
    }

    /**
     * Opens RETR from {@code offset}. The caller reads what it needs and then calls {@link #endRead(InputStream,
     * boolean)}: a segment ends before the file does, and FTP has no way to say where to stop.
     */
    public InputStream retrieve(String path, long offset) throws IOException {
        client.setRestartOffset(offset);
        transfers++;
        InputStream in = guard(() -> client.retrieveFileStream(path));
        if (in == null) {
            int code = client.getReplyCode();
            if (code == 550) {
                throw new RemoteNotFoundException("remote file " + path + " cannot be read on " + profile + ": "
                        + lastReply().strip(), code);
            }
            if (TooManyConnectionsException.saysTooMany(code, lastReply())) {
                throw new TooManyConnectionsException("server " + profile + " refused a data connection: "
                        + lastReply().strip(), code);
            }
            throw FtpException.reply("RETR " + path + " from offset " + offset + " on " + profile, code,
                    lastReply());
        }
        return in;
    }

    /**
     * Closes the data connection and reads the transfer's final reply. When the reader stopped early the server
     * answers 426 or 451 (or 226 if it had already sent everything), and some send a stray 150 first; all of them
     * are drained so the next command reads its own reply. After an early stop the first reply, whatever it is,
     * says the server has finished with the transfer; the drain then ends at the NOOP's own 200. A throttled
     * pure-ftpd answers the close with a lone {@code 150 0.5 seconds (measured here)...} and never sends a final
     * reply, so waiting for one would hang until the read timeout; a NOOP sent before that first reply is taken
     * by pure-ftpd as a command during the transfer and answered 500.
     */
    public void endRead(InputStream in, boolean readToEnd) throws IOException {
        try {
            in.close();
        } catch (IOException e) {
            broken = true;
            throw new FtpException("closing the data connection on " + profile + ": " + describe(e), 0, true, e);
        }
        if (!readToEnd) {
            readReply();
            sync();
            return;
        }
        int code = finalReply();
        if (!FTPReply.isPositiveCompletion(code)) {
            throw FtpException.reply("finishing a download on " + profile, code, lastReply());
        }
    }

    /** Opens STOR (from {@code offset} with REST when it is above 0); finish with {@link #endWrite}. */
    public OutputStream store(String path, long offset) throws IOException {
        client.setRestartOffset(offset);
        return openWrite(path, offset, false);
    }

    /** Opens APPE: the server appends to the file, whatever its size. */
    public OutputStream append(String path) throws IOException {
        return openWrite(path, 0, true);
    }

    private OutputStream openWrite(String path, long offset, boolean append) throws IOException {
        transfers++;
        OutputStream out = guard(() -> append ? client.appendFileStream(path) : client.storeFileStream(path));
        if (out != null) {
            java.net.Socket data = lastDataSocket();
            return data != null ? new UploadStream(out, data) : out;
        }
        int code = client.getReplyCode();
        knownDirs.clear();
        if (TooManyConnectionsException.saysTooMany(code, lastReply())) {
            throw new TooManyConnectionsException("server " + profile + " refused a data connection: "
                    + lastReply().strip(), code);
        }
        throw FtpException.reply((append ? "APPE " : "STOR ") + path
                + (offset > 0 ? " from offset " + offset : "") + " on " + profile, code, lastReply());
    }

    /** Closes the upload's data connection and requires the server's 226: only then are the bytes confirmed. */
    public void endWrite(OutputStream out) throws IOException {
        java.net.Socket data = out instanceof UploadStream u ? u.socket : null;
        int local = data == null ? -1 : data.getLocalPort();
        int remote = data == null ? -1 : data.getPort();
        try {
            out.close();
        } catch (IOException e) {
            broken = true;
            throw new FtpException("closing the upload connection on " + profile + ": " + describe(e), 0, true, e);
        }
        int code = replyAfterUpload(local, remote);
        if (!FTPReply.isPositiveCompletion(code)) {
            // Some servers (Apache FtpServer) accept the STOR and find the directory missing only when they write.
            knownDirs.clear();
            throw FtpException.reply("finishing an upload on " + profile, code, lastReply());
        }
    }

    /** Drops a data connection after a failure without waiting for the server's say. */
    public void abandon(Closeable dataStream) {
        cut(dataStream);
        try {
            dataStream.close();
        } catch (IOException ignored) {
            // The session is broken anyway; closing it is what matters.
        }
    }

    /**
     * Ends an upload's data connection at once, from any thread: its socket is closed, so a write blocked in it fails.
     * Its stream is left to the thread that writes it, which then {@link #abandon}s it; closing it here could wait (TLS
     * sends close_notify under the lock a blocked write holds). Other streams are only marked: a read has its timeout.
     */
    public void cut(Closeable dataStream) {
        broken = true;
        if (dataStream instanceof UploadStream u) {
            try {
                u.socket.close();
            } catch (IOException ignored) {
                // Closed already, or closing failed: the write fails either way.
            }
        }
    }

    /** {@link #cut} of {@code dataStream} as a {@link Closeable}, for a cancel that closes what is in flight. */
    public Closeable cutter(Closeable dataStream) {
        return () -> cut(dataStream);
    }

    /**
     * The plain TCP socket of the data connection opened last (under TLS, the one TLS is layered on), which a cut
     * closes: TLS's own close sends close_notify first, under the lock a blocked write holds, so it waited as long as
     * the server read nothing.
     */
    private java.net.Socket lastDataSocket() {
        if (client instanceof ListingClient plain) {
            return plain.lastDataSocket();
        }
        return client instanceof SessionReusingFtpsClient tls ? tls.lastDataSocket() : null;
    }

    /** An upload's stream with its data connection's own socket, which {@link #cut} closes. */
    private static final class UploadStream extends java.io.FilterOutputStream {
        private final java.net.Socket socket;

        UploadStream(OutputStream out, java.net.Socket socket) {
            super(out);
            this.socket = socket;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }
    }

    /** True when {@link #mkdirs} would skip {@code dir}: this session made or found it and nothing refused since. */
    public boolean knowsDir(String dir) {
        return knownDirs.contains(dir);
    }

    /** Creates {@code dir} level by level; an existing level is fine, a refused one is reported as such. */
    public void mkdirs(String dir) throws IOException {
        if (knownDirs.contains(dir)) {
            return;
        }
        StringBuilder path = new StringBuilder(dir.startsWith("/") ? "" : ".");
        for (String part : dir.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path.append('/').append(part);
            String level = path.toString();
            if (guard(() -> client.makeDirectory(level))) {
                continue;
            }
            int code = client.getReplyCode();
            String text = lastReply();
            if (!isDirectory(level)) {
                throw new FtpException("cannot create remote directory " + level + " on " + profile + ": "
                        + text.strip() + (code == 550 ? " (permission denied or a file of that name exists)" : ""),
                        code, code < 500);
            }
        }
        knownDirs.add(dir);
    }

    /** RNFR/RNTO. Replaces an existing target: some servers refuse to rename over a file, so it is deleted first. */
    public void rename(String from, String to) throws IOException {
        if (guard(() -> client.rename(from, to))) {
            return;
        }
        int first = client.getReplyCode();
        String firstText = lastReply();
        if (first >= 500 && exists(to) && delete(to) && guard(() -> client.rename(from, to))) {
            return;
        }
        throw FtpException.reply("renaming " + from + " to " + to + " on " + profile, first, firstText);
    }

    /** DELE; false when the file was not there. */
    public boolean delete(String path) throws IOException {
        return guard(() -> client.deleteFile(path));
    }

    /**
     * The server's hash of a file as lower-case hex, or null when it has none: HASH (RFC draft, proftpd) or the X*
     * commands. {@code algorithm} is a {@link java.security.MessageDigest} name such as SHA-256.
     *
     * @throws FtpException (transient) on a 4xx reply: the server has a hash but cannot give it now (busy, file in
     *                      use). Only a 5xx means it has none; a check by size alone must never follow a refusal
     *                      that a retry could have turned into an answer.
     */
    public String hash(String path, String algorithm) throws IOException {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        String unusable = null;
        if (features.hashAlgorithms().contains(upper)) {
            // The second round is for a server that forgot the selection: its reply names another algorithm.
            for (int round = 0; round < 2; round++) {
                if (!upper.equals(hashSelected)) {
                    command("OPTS", "HASH " + upper);
                }
                int code = command("HASH", path);
                refuseTransient(code, "HASH " + path);
                Matcher m = HASH_REPLY.matcher(lastReplyLine());
                if (code == 213 && m.matches() && m.group(1).equalsIgnoreCase(upper)) {
                    hashSelected = upper;
                    return m.group(2).toLowerCase(Locale.ROOT);
                }
                unusable = FTPReply.isPositiveCompletion(code) ? "HASH" : unusable;
                if (hashSelected == null) {
                    break;
                }
                hashSelected = null;
            }
        }
        String x = Capabilities.xCommand(upper);
        if (features.has(x)) {
            int code = command(x, path);
            refuseTransient(code, x + " " + path);
            Matcher m = X_HASH_REPLY.matcher(lastReplyLine());
            if (FTPReply.isPositiveCompletion(code) && m.matches()) {
                return m.group(1).toLowerCase(Locale.ROOT);
            }
            unusable = FTPReply.isPositiveCompletion(code) ? x : unusable;
        }
        if (unusable != null && UNUSABLE_HASH_SAID.add(profile.toString())) {
            // A hash of another algorithm, or not hex: the check falls back to size and time as for a server without
            // one, which a person should know of (said once a process per server: it repeats for every file).
            LOG.warn("{} answered {} with a hash Ferry cannot use ({}): its files are verified by size and time only",
                    profile, unusable, lastReplyLine());
        }
        return null;
    }


    private void refuseTransient(int code, String what) throws FtpException {
        if (FTPReply.isNegativeTransient(code)) {
            throw FtpException.reply(what + " on " + profile, code, lastReply());
        }
    }

    /**
     * The server's hash of bytes {@code [start, end)} of a file, or null when it answers with none: the X* command
     * with a range (proftpd's mod_digest), end exclusive. Only for a server whose probe showed it honours the range
     * ({@link Capabilities#rangeHash()}): one that ignored it would hash the whole file.
     */
    public String hashRange(String path, String algorithm, long start, long end) throws IOException {
        int code = command(Capabilities.xCommand(algorithm), path + " " + start + " " + end);
        Matcher m = X_HASH_REPLY.matcher(lastReplyLine());
        return FTPReply.isPositiveCompletion(code) && m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    /** NOOP until its own 200: swallows any reply left over from an aborted transfer (1xx, 226, 426, 450, 451). */
    public void sync() throws IOException {
        int code = command("NOOP", null);
        while (FTPReply.isPositivePreliminary(code) || (code != 200 && FTPReply.isPositiveCompletion(code))
                || code == 426 || code == 450 || code == 451) {
            code = readReply();
        }
        if (code != 200) {
            broken = true;
            throw FtpException.reply("NOOP on " + profile, code, lastReply());
        }
    }

    /** True when the server answered on this session within {@code window}: no need to ask it again. */
    public boolean answeredWithin(java.time.Duration window) {
        return !isBroken() && System.nanoTime() - lastAnswer < window.toNanos();
    }

    /** A cheap check that an idle pooled session still answers. */
    public boolean stillAlive() {
        try {
            sync();
            return true;
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }

    /** Sends any command and returns the reply code; for probes and raw features. */
    int command(String verb, String args) throws IOException {
        return guard(() -> client.sendCommand(verb, args));
    }

    /**
     * The final line of the last reply: proftpd answers HASH and XSHA256 in two lines, {@code 213-Computing SHA-256
     * digest} first, and the hash only on the last.
     */
    private String lastReplyLine() {
        String[] lines = client.getReplyStrings();
        return lines == null || lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    String lastReply() {
        String s = client.getReplyString();
        return s == null ? "" : s;
    }

    /**
     * The server's answer to an upload whose connection is closed: it comes once the server has read every byte, which
     * a server reading far slower than the socket buffers hold does long after the read timeout. While the kernel's
     * queue of bytes the server has not taken yet ({@link SendQueue}) shrinks, the answer is waited for again; once
     * that queue is empty (or gone: the server took every byte into its own buffer), for a minute more (at least two
     * read timeouts) while the server reads that buffer. A queue that stops shrinking for three read timeouts is a
     * server that stopped reading.
     */
    private int replyAfterUpload(int local, int remote) throws IOException {
        // Looked at only once the answer is late: the table lists every socket of the machine (thousands after a
        // tree's uploads), and reading it for every upload cost a tree's upload ten times its time.
        long last = -1;
        int stuck = 0;
        long drainedAt = 0;
        long patience = Math.max(DRAINED_PATIENCE_NANOS, 2 * profile.soTimeout().toNanos());
        while (true) {
            try {
                return finalReply();
            } catch (FtpException e) {
                if (!(e.getCause() instanceof SocketTimeoutException) || local <= 0) {
                    throw e;
                }
                long now = SendQueue.unsent(local, remote);
                if (now > 0) {
                    stuck = last < 0 || now < last ? 0 : stuck + 1;
                    if (stuck > 2) {
                        throw e;
                    }
                    drainedAt = 0;
                } else if (drainedAt == 0) {
                    drainedAt = System.nanoTime();
                } else if (System.nanoTime() - drainedAt > patience) {
                    throw e;
                }
                last = now;
                // The timeout came before any byte of the answer: the control connection is as it was.
                broken = false;
            }
        }
    }

    private static final long DRAINED_PATIENCE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    private int finalReply() throws IOException {
        int code = readReply();
        while (FTPReply.isPositivePreliminary(code)) {
            code = readReply();
        }
        return code;
    }

    private int readReply() throws IOException {
        return guard(client::getReply);
    }

    /** Any I/O failure on the control connection leaves it in an unknown state: mark the session broken. */
    private <T> T guard(IoCall<T> call) throws IOException {
        try {
            T result = call.run();
            lastAnswer = System.nanoTime();
            return result;
        } catch (IOException e) {
            broken = true;
            if (e instanceof FtpException) {
                throw e;
            }
            if (e instanceof dev.ferry.ftp.tls.PlainDataException) {
                throw new UnprotectedDataException(profile, e);
            }
            TlsCertificateException certificate = e instanceof javax.net.ssl.SSLHandshakeException h
                    ? Tls.refusedCertificate(h, profile.toString(), true) : null;
            if (certificate != null) {
                throw certificate;
            }
            // Logged in, the control connection is up: a connection refused now is the data connection, to the port
            // the server named in its passive-mode reply, which the person must be told rather than the control one.
            String what = e instanceof SocketTimeoutException ? "no answer from " + profile + " in time"
                    : e instanceof java.net.ConnectException && client.getPassivePort() > 0
                    ? "data connection to " + client.getPassiveHost() + ":" + client.getPassivePort() + " (the port"
                            + " server " + profile + " named in its EPSV/PASV reply) failed"
                    : "connection to " + profile + " failed";
            throw new FtpException(what + ": " + describe(e), 0, true, e);
        } catch (RuntimeException e) {
            throw garbled(e);
        }
    }

    /**
     * commons-net's parsers throw unchecked exceptions at a reply cut short or mangled on the way (an MDTM reply of
     * "213 2" gave a NullPointerException, a SIZE reply of "213" a NumberFormatException): the connection cannot be
     * trusted any more, and like a dropped one it is a transient failure the step's retry gets past.
     */
    private FtpException garbled(RuntimeException e) {
        broken = true;
        String reply = client.getReplyString();
        return new FtpException("a reply from " + profile + " could not be read"
                + (reply == null || reply.isBlank() ? "" : " ('" + Printable.of(reply.strip()) + "')")
                + "; the connection is dropped and the step tried again", 0, true, e);
    }

    @Override
    public void close() {
        if (client.isConnected() && !broken) {
            try {
                client.logout();
            } catch (IOException ignored) {
                // Leaving anyway.
            }
        } else if (client.isConnected() && client instanceof FTPSClient) {
            // TLS's close waits for the server's close_notify, for as long as the read timeout: a server that froze
            // or hung (why the session broke) would hold this close, and the retry behind it, that long.
            try {
                client.setSoTimeout(BROKEN_TLS_CLOSE_MILLIS);
            } catch (IOException ignored) {
                // Closed already: nothing to wait for.
            }
        }
        disconnectQuietly(client);
    }

    private static void check(boolean ok, FTPClient client, String what) throws FtpException {
        if (!ok) {
            throw FtpException.reply(what, client.getReplyCode(), client.getReplyString());
        }
    }

    private static void disconnectQuietly(FTPClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } catch (IOException ignored) {
            // Nothing more to do with a connection we are dropping.
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }

    private static int millis(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }
}
