package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Sockets skip the proxy selector only where it could say nothing but "no proxy": the JDK's own selector with no
 * SOCKS or FTP proxy property and no system proxies asked for. Anything else keeps the proxy a user set.
 */
class DirectSocketsTest {
    private static final ProxySelector JDK = jdkSelector();

    @Test
    void theJdksSelectorWithoutProxyPropertiesIsSkipped() {
        assertTrue(DirectSockets.noProxyNeeded(new Properties(), JDK));
    }

    @Test
    void aSocksOrFtpProxyPropertyOrTheSystemsProxiesAreHonoured() {
        for (String[] kv : new String[][] {{"socksProxyHost", "10.0.0.1"}, {"ftp.proxyHost", "proxy"},
                {"ftpProxyHost", "proxy"}, {"java.net.useSystemProxies", "true"}}) {
            Properties p = new Properties();
            p.setProperty(kv[0], kv[1]);
            assertFalse(DirectSockets.noProxyNeeded(p, JDK), kv[0]);
        }
    }

    @Test
    void aSelectorOfTheApplicationsOwnIsHonoured() {
        ProxySelector own = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        };
        assertFalse(DirectSockets.noProxyNeeded(new Properties(), own));
        assertFalse(DirectSockets.noProxyNeeded(new Properties(), null));
    }

    /** The JDK's default selector, whatever another test installed meanwhile. */
    private static ProxySelector jdkSelector() {
        ProxySelector current = ProxySelector.getDefault();
        if (current != null && current.getClass().getName().equals("sun.net.spi.DefaultProxySelector")) {
            return current;
        }
        try {
            return (ProxySelector) Class.forName("sun.net.spi.DefaultProxySelector").getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new AssertionError("the JDK's proxy selector is not reachable: " + e);
        }
    }
}
