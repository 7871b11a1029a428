package dev.ferry.ftp;

import java.net.Proxy;
import java.net.ProxySelector;
import java.util.Properties;
import javax.net.SocketFactory;
import org.apache.commons.net.DefaultSocketFactory;

/**
 * Sockets that skip the JDK's proxy selector when it could only answer "no proxy". A plain {@code new Socket()} asks
 * {@link ProxySelector#getDefault()} on every connect, which builds and parses a {@code socket://host:port} URI: for a
 * tree of small files that was a few per cent of a lane's CPU, once per data connection. Where a SOCKS proxy is set by
 * system property, the system's proxies are asked for, or an application installed a selector of its own, sockets are
 * made as before and the proxy is used.
 */
final class DirectSockets {
    private static final String JDK_SELECTOR = "sun.net.spi.DefaultProxySelector";
    private static final String[] PROXY_PROPERTIES = {"socksProxyHost", "ftp.proxyHost", "ftpProxyHost"};

    private DirectSockets() {
    }

    /** The factory for a session's sockets now, or null: the client's default (which asks the selector). */
    static SocketFactory factory() {
        return noProxyNeeded(System.getProperties(), ProxySelector.getDefault())
                ? new DefaultSocketFactory(Proxy.NO_PROXY) : null;
    }

    /** Whether {@code selector} with {@code properties} would answer "no proxy" for every socket. */
    static boolean noProxyNeeded(Properties properties, ProxySelector selector) {
        if (selector == null || !JDK_SELECTOR.equals(selector.getClass().getName())) {
            return false;
        }
        if (Boolean.parseBoolean(properties.getProperty("java.net.useSystemProxies"))) {
            return false;
        }
        for (String key : PROXY_PROPERTIES) {
            String value = properties.getProperty(key);
            if (value != null && !value.isBlank()) {
                return false;
            }
        }
        return true;
    }
}
