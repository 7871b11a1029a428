package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an upload's data connection when one write into it has been blocked for the server's data timeout. A read
 * has a timeout of its own (SO_TIMEOUT); a write has none: a server or path that stops taking bytes but keeps the
 * connection open would hold the upload, its connection and its transfer forever. Closing the data socket makes the
 * blocked write fail, and the segment's usual retry follows. Checked by the engine's ticker, which must not wait on the
 * stream itself ({@link FtpSession#cut}).
 */
final class StalledWrites {
    private static final Logger LOG = LoggerFactory.getLogger(StalledWrites.class);
    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();

    /** One upload stream; {@link #close()} when the stream ends. */
    final class Watch implements AutoCloseable {
        private final FtpSession session;
        private final OutputStream out;
        private final LiveTransfer transfer;
        private final long timeoutNanos;
        /** When the write under way began; 0 between writes (a rate limit's pause is not a stall). */
        private volatile long writingSince;
        private volatile boolean ended;

        private Watch(FtpSession session, OutputStream out, LiveTransfer transfer) {
            this.session = session;
            this.out = out;
            this.transfer = transfer;
            this.timeoutNanos = transfer.profile.dataTimeout().toNanos();
        }

        void writing() {
            writingSince = System.nanoTime();
        }

        void wrote() {
            writingSince = 0;
        }

        /** True once this watch ended the stream: the write failed because the server took nothing. */
        boolean ended() {
            return ended;
        }

        String timeout() {
            return Duration.ofNanos(timeoutNanos).toSeconds() + " s";
        }

        private void check(long now) {
            long since = writingSince;
            if (since != 0 && now - since > timeoutNanos && !ended) {
                ended = true;
                LOG.warn("upload to {} on {}: the server took no byte for {}; its data connection is closed and the"
                        + " upload goes on", transfer.remotePath(), transfer.profile, timeout());
                session.cut(out);
            }
        }

        @Override
        public void close() {
            watched.remove(this);
        }
    }

    /** Watches {@code out}, an upload stream of {@code session} for {@code transfer}, against its data timeout. */
    Watch watch(FtpSession session, OutputStream out, LiveTransfer transfer) {
        Watch w = new Watch(session, out, transfer);
        watched.add(w);
        return w;
    }

    void check() {
        long now = System.nanoTime();
        for (Watch w : watched) {
            w.check(now);
        }
    }
}
