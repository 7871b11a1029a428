package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A self-signed certificate for 127.0.0.1 made with {@code openssl req -x509 -newkey rsa:2048 -nodes
 * -days 2 -subj /CN=127.0.0.1} (plus subjectAltName IP:127.0.0.1), as PEM files for the servers and a
 * PKCS12 truststore holding the certificate for clients (Ferry).
 *
 * @param dir             directory holding the files (deleted by {@link #close()})
 * @param certPem         the certificate, PEM
 * @param keyPem          the unencrypted private key, PEM (mode 0600)
 * @param truststore      PKCS12 truststore with the certificate under alias "ferry-test"
 * @param truststorePassword password of the truststore
 * @param certificate     the parsed certificate
 */
public record SelfSignedCertificate(Path dir, Path certPem, Path keyPem, Path truststore, String truststorePassword,
                                    X509Certificate certificate) implements AutoCloseable {

    public static final String TRUSTSTORE_PASSWORD = "changeit";
    public static final String ALIAS = "ferry-test";

    /** Creates the certificate in a new temp directory. */
    public static SelfSignedCertificate create() throws IOException {
        Path dir = Files.createTempDirectory("ferry-cert-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return create(dir);
    }

    /** Creates cert.pem, key.pem and truststore.p12 in {@code dir}. */
    public static SelfSignedCertificate create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ExternalFtpServer.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()), null);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        try {
            X509Certificate x509;
            try (InputStream in = Files.newInputStream(cert)) {
                x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry(ALIAS, x509);
            Path truststore = dir.resolve("truststore.p12");
            try (OutputStream out = Files.newOutputStream(truststore)) {
                ks.store(out, TRUSTSTORE_PASSWORD.toCharArray());
            }
            return new SelfSignedCertificate(dir, cert, key, truststore, TRUSTSTORE_PASSWORD, x509);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the truststore for " + cert, e);
        }
    }

    /** A trust manager that trusts exactly this certificate. */
    public X509TrustManager trustManager() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(truststore)) {
                ks.load(in, truststorePassword.toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) return x;
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS client context trusting exactly this certificate. */
    public SSLContext clientContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustManager()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ExternalFtpServer.deleteTree(dir);
    }
}
