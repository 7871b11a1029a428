package dev.ferry.ftp;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything needed to reach one FTP server. The secret is a {@link Secret}, so printing a profile is safe.
 *
 * @param fallbackCharset charset for names on the control connection when the server does not speak UTF-8
 * @param connectionLimit most connections Ferry opens to this server at once, across all transfers
 * @param trustStore      PKCS12 trust store for FTPS; null means the JVM's default trust
 * @param uploadStrategy  AUTO to choose from the probe, or a fixed choice that overrides it
 * @param outageWait      how long a transfer waits for a server that cannot be reached at all (refused, unreachable,
 *                        connect timed out) before it fails; zero: such a failure counts as one more attempt
 */
public record ServerProfile(
        String name,
        String host,
        int port,
        String user,
        Secret password,
        TlsMode tls,
        Path trustStore,
        Secret trustStorePassword,
        boolean epsv,
        Charset fallbackCharset,
        int connectionLimit,
        Duration connectTimeout,
        Duration soTimeout,
        Duration dataTimeout,
        UploadStrategy uploadStrategy,
        Duration outageWait) {

    public ServerProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("server " + name + ": port " + port + " is not a TCP port");
        }
        if (connectionLimit < 1) {
            throw new IllegalArgumentException("server " + name + ": connectionLimit must be at least 1");
        }
        user = user == null || user.isEmpty() ? "anonymous" : user;
        password = password == null ? Secret.none() : password;
        tls = tls == null ? TlsMode.NONE : tls;
        if (trustStore != null && tls == TlsMode.NONE) {
            // A trust store is there only for TLS: without it the server was reached in plain FTP, the password sent
            // in clear text to whoever answered, by someone who had meant it to go over TLS.
            throw new IllegalArgumentException("server " + name + ": a trust store (" + trustStore + ") is given but"
                    + " TLS is not: the password and the files would go unencrypted; use ftps:// (tls = explicit), or"
                    + " leave the trust store out for plain FTP");
        }
        trustStorePassword = trustStorePassword == null ? Secret.none() : trustStorePassword;
        fallbackCharset = fallbackCharset == null ? StandardCharsets.UTF_8 : fallbackCharset;
        uploadStrategy = uploadStrategy == null ? UploadStrategy.AUTO : uploadStrategy;
        outageWait = outageWait == null ? Duration.ZERO : outageWait;
        if (outageWait.isNegative()) {
            throw new IllegalArgumentException("server " + name + ": outageWait must not be negative");
        }
        // Zero is "wait for ever" to a socket: a server that stops answering would hold its transfer for good.
        requirePositive(name, "connect-timeout", connectTimeout);
        requirePositive(name, "so-timeout", soTimeout);
        requirePositive(name, "data-timeout", dataTimeout);
    }

    private static void requirePositive(String name, String what, Duration d) {
        if (d == null || d.isZero() || d.isNegative() || d.toMillis() < 1) {
            throw new IllegalArgumentException("server " + name + ": " + what + " must be at least 1 ms, not "
                    + (d == null ? "unset" : d.toMillis() + " ms") + " (0 would wait for ever)");
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Identifies the server for caches (capabilities, connection budgets, pooled sessions): the same account on
     * the same host over the same protocol (a pooled plain session must never serve an FTPS profile). A digest of
     * the password is part of it, so a profile with a wrong password never borrows a session another profile
     * logged in with the right one.
     */
    public String key() {
        KeyOf last = lastKey;
        if (last != null && last.profile() == this) {
            return last.key();
        }
        String key = (tls == TlsMode.EXPLICIT ? "ftps://" : "ftp://") + user + "@" + host + ":" + port + "#"
                + Integer.toHexString(password.reveal().hashCode());
        lastKey = new KeyOf(this, key);
        return key;
    }

    /**
     * The last key made, for the profile object it was made for: the pool asks for a profile's key at every borrow
     * and release (several times per file of a tree), and a process mostly uses one profile. A record has no field
     * of its own to keep it in.
     */
    private static volatile KeyOf lastKey;

    private record KeyOf(ServerProfile profile, String key) {
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.host = host;
        b.port = port;
        b.user = user;
        b.password = password;
        b.tls = tls;
        b.trustStore = trustStore;
        b.trustStorePassword = trustStorePassword;
        b.epsv = epsv;
        b.fallbackCharset = fallbackCharset;
        b.connectionLimit = connectionLimit;
        b.connectTimeout = connectTimeout;
        b.soTimeout = soTimeout;
        b.dataTimeout = dataTimeout;
        b.uploadStrategy = uploadStrategy;
        b.outageWait = outageWait;
        return b;
    }

    @Override
    public String toString() {
        return name + " (" + (tls == TlsMode.EXPLICIT ? "ftps" : "ftp") + "://" + user + "@" + host + ":" + port + ")";
    }

    public static final class Builder {
        private final String name;
        private String host = "127.0.0.1";
        private int port = 21;
        private String user = "anonymous";
        private Secret password = Secret.none();
        private TlsMode tls = TlsMode.NONE;
        private Path trustStore;
        private Secret trustStorePassword = Secret.none();
        private boolean epsv = true;
        private Charset fallbackCharset = StandardCharsets.UTF_8;
        private int connectionLimit = 4;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration soTimeout = Duration.ofSeconds(30);
        private Duration dataTimeout = Duration.ofSeconds(30);
        private UploadStrategy uploadStrategy = UploadStrategy.AUTO;
        private Duration outageWait = Duration.ZERO;

        private Builder(String name) {
            this.name = name;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder user(String v) { user = v; return this; }
        public Builder password(Secret v) { password = v; return this; }
        public Builder password(String v) { password = Secret.of(v); return this; }
        public Builder tls(TlsMode v) { tls = v; return this; }
        public Builder trustStore(Path v) { trustStore = v; return this; }
        public Builder trustStorePassword(Secret v) { trustStorePassword = v; return this; }
        public Builder epsv(boolean v) { epsv = v; return this; }
        public Builder fallbackCharset(Charset v) { fallbackCharset = v; return this; }
        public Builder connectionLimit(int v) { connectionLimit = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder soTimeout(Duration v) { soTimeout = v; return this; }
        public Builder dataTimeout(Duration v) { dataTimeout = v; return this; }
        public Builder uploadStrategy(UploadStrategy v) { uploadStrategy = v; return this; }
        public Builder outageWait(Duration v) { outageWait = v; return this; }

        public ServerProfile build() {
            return new ServerProfile(name, host, port, user, password, tls, trustStore, trustStorePassword, epsv,
                    fallbackCharset, connectionLimit, connectTimeout, soTimeout, dataTimeout, uploadStrategy,
                    outageWait);
        }
    }
}
