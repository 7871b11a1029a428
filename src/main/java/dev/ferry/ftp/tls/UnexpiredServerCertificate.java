package dev.ferry.ftp.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that also requires the server's own certificate to be within its dates. The JDK checks no dates of a
 * trust anchor, and a self-signed certificate put in a trust store (how a private server is trusted) is its own
 * anchor: one that expired years ago was accepted. Only the server's certificate is checked here; the rest of a chain
 * is the delegate's, which checks the dates of what it builds on (a server may still send an expired cross-signed
 * certificate its path does not need).
 */
public final class UnexpiredServerCertificate extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    public UnexpiredServerCertificate(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
        current(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
        current(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        current(chain);
    }

    /** Throws {@code CertificateExpiredException} or {@code CertificateNotYetValidException}, dates in the message. */
    private static void current(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            return;
        }
        X509Certificate server = chain[0];
        try {
            server.checkValidity();
        } catch (java.security.cert.CertificateExpiredException e) {
            throw new java.security.cert.CertificateExpiredException("the certificate expired on "
                    + server.getNotAfter().toInstant());
        } catch (java.security.cert.CertificateNotYetValidException e) {
            throw new java.security.cert.CertificateNotYetValidException("the certificate is valid only from "
                    + server.getNotBefore().toInstant());
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
