package dev.ferry.ftp.tls;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.Locale;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.apache.commons.net.ftp.FTPSClient;

/**
 * An {@link FTPSClient} whose protected ({@code PROT P}) passive data connections resume the TLS session of
 * the control connection, as servers that require TLS session reuse demand: vsftpd's default
 * {@code require_ssl_reuse=YES} answers a data connection with a fresh session by
 * {@code 522 SSL connection failed: session reuse required} (plain commons-net FTPSClient gets exactly that).
 *
 * <p>How: the data connection is opened as plain TCP and layered with TLS; before its handshake the control
 * session is put into the JDK client session cache ({@code SSLSessionContextImpl.sessionHostPortCache},
 * by reflection) under the data connection's {@code host:port}, the key the JDK looks a resumable session
 * up by. That is the known commons-net workaround (NET-408), done here without {@code _prepareDataSocket_}.
 *
 * <p>Measured against vsftpd 3.0.3 (OpenSSL 3) on JDK 17.0.15 it works only with
 * <ul>
 * <li>TLS 1.2 (the default this class sets; override with {@link #setEnabledProtocols(String[])}, as Ferry does
 * for a server that refuses 1.2 — reuse over 1.3 then works only where the server's tickets are taken):
 * a TLS 1.3 session can be resumed only with a session ticket, and the JDK discards vsftpd's tickets
 * ("Discarding NewSessionTicket with lifetime 2147483647": vsftpd sets an INT_MAX session timeout, over the
 * 7 days TLS allows);</li>
 * <li>{@code -Djdk.tls.client.enableSessionTicketExtension=false}: otherwise the server answers the TLS 1.2
 * ClientHello with a ticket (which the JDK discards for the same reason) instead of a session id, and there
 * is nothing to resume;</li>
 * <li>{@code --add-opens java.base/sun.security.ssl=ALL-UNNAMED --add-opens
 * java.base/sun.security.util=ALL-UNNAMED} for the reflection.</li>
 * </ul>
 * {@code -Djdk.tls.useExtendedMasterSecret=false} is not needed (and alone does not help).
 * All three are in {@link #REQUIRED_JVM_OPTIONS}; without the add-opens the data connection fails with an
 * IOException that names them.
 *
 * <p>Applies to passive mode (the only one Ferry uses); active-mode data connections are left to
 * {@code FTPSClient}. The SSL context must be given to the constructor (it is used for the data sockets).
 */
public class SessionReusingFtpsClient extends FTPSClient {

    /** JVM options this class needs: reflection into the JDK's TLS session cache, and TLS 1.2 session ids
     * instead of session tickets (see the class doc). */
    public static final String REQUIRED_JVM_OPTIONS =
            "--add-opens java.base/sun.security.ssl=ALL-UNNAMED --add-opens java.base/sun.security.util=ALL-UNNAMED"
            + " -Djdk.tls.client.enableSessionTicketExtension=false";

    private final SSLContext sslContext;
    private boolean protectData;

    /** Explicit FTPS (AUTH TLS). */
    public SessionReusingFtpsClient(SSLContext sslContext) {
        this(false, sslContext);
    }

    public SessionReusingFtpsClient(boolean implicit, SSLContext sslContext) {
        super(implicit, Objects.requireNonNull(sslContext, "sslContext"));
        this.sslContext = sslContext;
        // TLS 1.3 sessions can only be resumed with tickets, and the JDK drops vsftpd's (see class doc)
        setEnabledProtocols(new String[] {"TLSv1.2"});
    }

    /** Reads an MLSD listing from its data connection (null: none was opened). */
    @FunctionalInterface
    public interface MlsdReader {
        org.apache.commons.net.ftp.FTPListParseEngine read(org.apache.commons.net.ftp.FTPClient client, Socket data)
                throws IOException;
    }

    private MlsdReader mlsd;

    /** How this client reads MLSD, as the plain client of its maker does; unset: commons-net's parser. */
    public void setMlsdReader(MlsdReader mlsd) {
        this.mlsd = mlsd;
    }

    @Override
    public org.apache.commons.net.ftp.FTPListParseEngine initiateMListParsing(String pathName) throws IOException {
        if (mlsd == null) {
            return super.initiateMListParsing(pathName);
        }
        return mlsd.read(this, _openDataConnection_(org.apache.commons.net.ftp.FTPCmd.MLSD, pathName));
    }

    @Override
    public void execPROT(String prot) throws IOException {
        super.execPROT(prot);
        protectData = "P".equals(prot);
        if (protectData) {
            // plain TCP for passive data sockets; they are wrapped in _openDataConnection_
            setSocketFactory(null);
        }
    }

    private volatile Socket lastData;

    /**
     * The plain TCP socket of the data connection opened last, under its TLS layer: closing it ends a write blocked in
     * that connection at once, where the TLS socket's close would first wait for the lock that write holds.
     */
    public Socket lastDataSocket() {
        return lastData;
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        Socket socket = DataSockets.open(_socketFactory_, f -> _socketFactory_ = f,
                () -> super._openDataConnection_(command, arg));
        lastData = socket;
        if (socket == null || !protectData || socket instanceof SSLSocket) {
            return socket;
        }
        if (!(_socket_ instanceof SSLSocket control)) {
            return socket;
        }
        SSLSession controlSession = control.getSession();
        String host = controlSession.getPeerHost();
        SSLSocket ssl = (SSLSocket) sslContext.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        try {
            offerForResumption(controlSession, host, socket.getPort());
            ssl.setUseClientMode(true);
            ssl.setEnableSessionCreation(true);
            ssl.setEnabledProtocols(control.getEnabledProtocols());
            ssl.setEnabledCipherSuites(control.getEnabledCipherSuites());
            // The data connection's certificate answers for the same host as the control connection's: checked for its
            // chain alone, anyone able to answer the passive port with a certificate the trust store vouches for (any
            // name of a public CA) served the file. A resumed session was checked so when the control made it.
            javax.net.ssl.SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm(control.getSSLParameters().getEndpointIdentificationAlgorithm());
            ssl.setSSLParameters(params);
            ssl.startHandshake();
        } catch (javax.net.ssl.SSLException e) {
            ssl.close();
            throw PlainDataException.saidBy(e) ? new PlainDataException(command, e) : e;
        } catch (IOException | RuntimeException e) {
            ssl.close();
            throw e;
        }
        return ssl;
    }

    /**
     * Puts the control connection's session into the JDK client session cache under the data connection's
     * host:port, the key the handshake looks up (JDK 17: {@code SSLSessionContextImpl.get(peerHost, peerPort)}
     * with the data port; the port given to {@code createSocket} is not used for it).
     */
    private static void offerForResumption(SSLSession session, String host, int port) throws IOException {
        if (!session.isValid()) return;
        Object context = session.getSessionContext();
        if (context == null) return;
        try {
            Field field = context.getClass().getDeclaredField("sessionHostPortCache");
            field.setAccessible(true);
            Object cache = field.get(context);
            Method put = cache.getClass().getMethod("put", Object.class, Object.class);
            put.setAccessible(true);
            put.invoke(cache, (host + ":" + port).toLowerCase(Locale.ENGLISH), session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot offer the control TLS session for reuse on the data connection ("
                    + e + "); run the JVM with " + REQUIRED_JVM_OPTIONS, e);
        }
    }
}
