package dev.ferry.interop;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.testing.ExternalFtpServer;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * One server of the interoperability matrix, started with the options a case needs: the three Debian servers
 * through {@link ExternalFtpServer} and Apache FtpServer through {@link FtpServerFixture}, behind one face.
 */
final class InteropServer implements AutoCloseable {

    /** The columns of docs/INTEROP.md, in order. */
    enum Kind {
        VSFTPD("vsftpd", ExternalFtpServer.VSFTPD),
        PROFTPD("proftpd (AllowStoreRestart on)", ExternalFtpServer.PROFTPD),
        PROFTPD_NO_STORE_RESTART("proftpd (AllowStoreRestart off)", ExternalFtpServer.PROFTPD),
        PURE_FTPD("pure-ftpd", ExternalFtpServer.PURE_FTPD),
        APACHE("Apache FtpServer", null);

        final String label;
        final String external;

        Kind(String label, String external) {
            this.label = label;
            this.external = external;
        }

        @Override
        public String toString() {
            return label;
        }

        /** Skips (locally) or fails (CI=true) when this server is not installed. */
        void assumeAvailable() {
            if (external != null) {
                ExternalFtpServer.assumeOrFail(external);
            }
        }
    }

    /** Limits a case may ask for; each maps onto the server's own setting. */
    record Limits(long ratePerConnection, int maxPerIp, boolean utf8) {
        static final Limits NONE = new Limits(0, 0, true);

        Limits rate(long bytesPerSecond) {
            return new Limits(bytesPerSecond, maxPerIp, utf8);
        }

        Limits perIp(int n) {
            return new Limits(ratePerConnection, n, utf8);
        }

        Limits noUtf8() {
            return new Limits(ratePerConnection, maxPerIp, false);
        }
    }

    final Kind kind;
    private final ExternalFtpServer external;
    private final FtpServerFixture apache;

    private InteropServer(Kind kind, ExternalFtpServer external, FtpServerFixture apache) {
        this.kind = kind;
        this.external = external;
        this.apache = apache;
    }

    static InteropServer start(Kind kind, Limits limits) {
        kind.assumeAvailable();
        if (kind == Kind.APACHE) {
            FtpServerFixture.Builder b = FtpServerFixture.builder().maxLoginsPerIp(limits.maxPerIp())
                    .ratePerConnection(limits.ratePerConnection());
            return new InteropServer(kind, null, b.start()); // writeInPlace(false): Apache's real REST+STOR
        }
        ExternalFtpServer.Options o = new ExternalFtpServer.Options()
                .ratePerConnection(limits.ratePerConnection()).maxPerIp(limits.maxPerIp()).utf8(limits.utf8())
                // As the design says: vsftpd allows a parallel upload with lock_upload_files=NO.
                .lockUploadFiles(false)
                .allowStoreRestart(kind != Kind.PROFTPD_NO_STORE_RESTART);
        return new InteropServer(kind, ExternalFtpServer.of(kind.external, o).start(), null);
    }

    static InteropServer start(Kind kind, UnaryOperator<ExternalFtpServer.Options> options) {
        kind.assumeAvailable();
        return new InteropServer(kind, ExternalFtpServer.of(kind.external,
                options.apply(new ExternalFtpServer.Options())).start(), null);
    }

    String host() {
        return external != null ? external.host() : apache.host();
    }

    int port() {
        return external != null ? external.port() : apache.port();
    }

    String user() {
        return external != null ? external.user() : apache.user();
    }

    String password() {
        return external != null ? external.password() : apache.password();
    }

    /** The directory served as "/". */
    Path root() {
        return external != null ? external.root() : apache.root();
    }

    /** The local path of a file on the server ("/a/b.bin"). */
    Path file(String remote) {
        return root().resolve(remote.replaceFirst("^/+", ""));
    }

    /** Puts pseudo-random content on the server (readable by the server's user) and returns its path. */
    Path put(String remote, long size, long seed) {
        return PseudoRandomContent.write(file(remote), size, seed);
    }

    ServerProfile.Builder profile() {
        return ServerProfile.builder(kind.name().toLowerCase(java.util.Locale.ROOT)).host(host()).port(port())
                .user(user()).password(password()).connectionLimit(8)
                .connectTimeout(Duration.ofSeconds(5)).soTimeout(Duration.ofSeconds(10))
                .dataTimeout(Duration.ofSeconds(10));
    }

    /** The server's own logs, for failure messages (Apache logs through the test's logback). */
    String logTail() {
        return external != null ? external.logTail(30) : "(Apache FtpServer logs in the test output)";
    }

    @Override
    public void close() {
        if (external != null) {
            external.close();
        } else {
            apache.close();
        }
    }
}
