package dev.ferry.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import dev.ferry.ftp.tls.SessionReusingFtpsClient;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * Explicit FTPS: certificate checking is always on, against the profile's trust store or the JVM's, and for the host
 * name (or address) connected to.
 */
final class Tls {
    static {
        // vsftpd's session tickets are discarded by the JDK, so data connections must resume by session id.
        if (System.getProperty("jdk.tls.client.enableSessionTicketExtension") == null) {
            System.setProperty("jdk.tls.client.enableSessionTicketExtension", "false");
        }
    }

    private Tls() {
    }

    /**
     * The server ended a TLS 1.2 handshake with an alert that says it has no version or cipher in common with the
     * client: a server that speaks only TLS 1.3 answers so.
     */
    static boolean versionRefused(javax.net.ssl.SSLHandshakeException e) {
        String m = e.getMessage();
        return m != null && (m.contains("protocol_version") || m.contains("handshake_failure"))
                && !untrustedCertificate(e);
    }

    /**
     * A client that offers TLS 1.2 only (data connections resume its session: see {@link SessionReusingFtpsClient}),
     * or TLS 1.3 only, for a server that refused 1.2.
     */
    static FTPSClient client(ServerProfile profile, boolean tls13) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(profile)}, null);
            // The context is this control connection's alone, and its session must stay resumable for as long as the
            // connection lives: the JDK's default, 24 hours, stopped offering it to data connections of a pooled
            // session older than that, which a server requiring reuse (vsftpd) then refused, 522.
            context.getClientSessionContext().setSessionTimeout(0);
            SessionReusingFtpsClient client = new SessionReusingFtpsClient(context);
            if (tls13) {
                client.setEnabledProtocols(new String[] {"TLSv1.3"});
            }
            // A chain that ends in a trusted certificate proves only that someone the trust store vouches for answered:
            // it must also be made out to the host connected to, or any other server of the same CA (or anyone with a
            // public CA's certificate for any name) could stand in the middle and serve any bytes and any hash.
            client.setEndpointCheckingEnabled(true);
            client.setMlsdReader(TolerantMlsd::engine);
            return client;
        } catch (GeneralSecurityException e) {
            throw new FtpException("cannot set up TLS for server '" + profile.name() + "': " + e.getMessage(),
                    0, false, e);
        }
    }

    static void protectData(FTPSClient client, String where) throws IOException {
        try {
            client.execPBSZ(0);
            client.execPROT("P");
        } catch (javax.net.ssl.SSLException e) {
            throw FtpException.reply("PBSZ/PROT P on " + where, client.getReplyCode(), client.getReplyString());
        }
    }

    /**
     * {@link #protectData} before the login; false when the server takes PBSZ/PROT only after it (530 not logged in,
     * 503 bad sequence), as curl, lftp and FileZilla send them: pyftpdlib and libunftp refused them before the login
     * for years, drftpd does. The caller then protects the data connections after the login.
     */
    static boolean protectDataBeforeLogin(FTPSClient client, String where) throws IOException {
        try {
            protectData(client, where);
            return true;
        } catch (FtpException e) {
            if (e.replyCode() == 530 || e.replyCode() == 503) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The handshake failed because the certificate is made out to another name than the one connected to (the JDK's
     * endpoint check, which says so only in its message: a {@code CertificateException} without a type of its own).
     */
    static boolean otherName(javax.net.ssl.SSLHandshakeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (c instanceof java.security.cert.CertificateException && m != null
                    && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A handshake refused for the server's certificate, as a permanent failure that says what a person can do (null:
     * another failure). A retry meets the same certificate; read as a network fault, it was tried until the attempts
     * ran out. On a data connection the control connection's certificate had passed, so someone other than the server
     * may have answered the data port.
     */
    static TlsCertificateException refusedCertificate(javax.net.ssl.SSLHandshakeException e, String where,
            boolean dataConnection) {
        String whose = dataConnection ? "a data connection of server " + where : "server " + where;
        String dataHint = "though the control connection's was: someone other than the server may have answered the"
                + " data port; check the network path to the server";
        if (otherName(e)) {
            // A trusted certificate for another name: trusting it would help a man in the middle, not the person.
            return new TlsCertificateException("the TLS certificate of " + whose + " is not trusted for that name ("
                    + e.getMessage() + "): " + (dataConnection ? dataHint : "connect with a host name or address the"
                    + " certificate is made out to, or check that this is the right server"), e);
        }
        if (outOfDate(e)) {
            // Trusting it is not the question: the server must show a current certificate.
            return new TlsCertificateException("the TLS certificate of " + whose + " is out of its dates ("
                    + e.getMessage() + "): the server's administrator must renew it (or set the server's clock); a"
                    + " certificate in the trust store is still refused once it has expired", e);
        }
        if (untrustedCertificate(e)) {
            // Trying again cannot help: a person must decide to trust the certificate.
            return new TlsCertificateException("the TLS certificate of " + whose + " is not trusted (" + e.getMessage()
                    + "): " + (dataConnection ? dataHint : "if it is the right server, put its certificate in a PKCS12"
                    + " trust store and name it in the server profile (trustStore; --trust-store on the command"
                    + " line)"), e);
        }
        return null;
    }

    /** The handshake failed because a certificate is out of its dates (the server's own, or one of its chain). */
    static boolean outOfDate(javax.net.ssl.SSLHandshakeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateExpiredException
                    || c instanceof java.security.cert.CertificateNotYetValidException) {
                return true;
            }
        }
        return false;
    }

    /** The handshake failed because the server's certificate (chain) is not trusted, not for a network reason. */
    static boolean untrustedCertificate(javax.net.ssl.SSLHandshakeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateException
                    || c instanceof java.security.cert.CertPathValidatorException
                    || c instanceof java.security.cert.CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why a trust store could not be read, and what to do: a missing file had been reported by its path alone, then
     * blamed on the password; a PEM certificate (what a server's administrator hands out) as "toDerInputStream rejects
     * tag type 45".
     */
    private static String unreadable(java.nio.file.Path store, IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "there is no such file; give the path of a PKCS12 trust store (trust-store in the server profile,"
                    + " --trust-store on the command line)";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied; the trust store must be readable by the user Ferry runs as";
        }
        if (Files.isDirectory(store)) {
            return "it is a folder; give the path of a PKCS12 trust store file";
        }
        if (pem(store)) {
            return "it is a PEM file, not a PKCS12 trust store; make one from the certificate with: keytool -importcert"
                    + " -file " + store + " -alias server -storetype PKCS12 -keystore trust.p12";
        }
        return e.getMessage() + " (is it a PKCS12 trust store? its password is the server's trust-store-password;"
                + " --trust-store-password-env on the command line)";
    }

    private static boolean pem(java.nio.file.Path store) {
        try (InputStream in = Files.newInputStream(store)) {
            return new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).strip()
                    .startsWith("-----BEGIN");
        } catch (IOException e) {
            return false;
        }
    }

    private static TrustManager trustManager(ServerProfile profile) throws IOException {
        try {
            KeyStore store = null;
            if (profile.trustStore() != null) {
                store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(profile.trustStore())) {
                    store.load(in, profile.trustStorePassword().reveal().toCharArray());
                } catch (IOException e) {
                    // A wrong password or a file that is no PKCS12 store: a setting to correct, which no retry mends
                    // (it was tried again for 20 s, and said only "keystore password was incorrect").
                    throw new TrustStoreException("cannot read trust store " + profile.trustStore() + " for server '"
                            + profile.name() + "': " + unreadable(profile.trustStore(), e), e);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509ExtendedTrustManager x) {
                    return new dev.ferry.ftp.tls.UnexpiredServerCertificate(x);
                }
            }
            throw new IOException("no X.509 trust manager available");
        } catch (GeneralSecurityException e) {
            throw new TrustStoreException("cannot load trust store " + profile.trustStore() + " for server '"
                    + profile.name() + "': " + e.getMessage(), e);
        }
    }
}
