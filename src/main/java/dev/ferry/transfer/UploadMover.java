package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.SessionPool;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.PathGuard;
import dev.ferry.progress.TransferListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Sends a segment into the remote temporary file. Progress counts only once the server confirmed it:
 * <ul>
 * <li>parallel in place: chunks of {@code checkpointBytes}, each its own {@code REST n}+{@code STOR} ended by
 * the server's 226, so a crash costs at most one chunk per segment;</li>
 * <li>sequential: the server's SIZE of the temporary file is where it resumes ({@code REST}+{@code STOR}, or
 * {@code APPE}), then one STOR to the end;</li>
 * <li>restart: STOR from byte 0.</li>
 * </ul>
 */
final class UploadMover implements SegmentMover {
    private static final int BUFFER = 64 * 1024;
    static final long PRIME_BYTES = 64 * 1024;
    static final long INLINE_DIGEST_MAX = 8L << 20;
    private final TransferListener listener;
    private final SessionPool pool;
    private final StalledWrites stalls;

    UploadMover(TransferListener listener, SessionPool pool, StalledWrites stalls) {
        this.listener = listener;
        this.pool = pool;
        this.stalls = stalls;
    }

    @Override
    public void move(FtpSession session, LiveTransfer t, LiveSegment s) throws IOException {
        if (t.strategy == UploadStrategy.PARALLEL) {
            while (s.offset() < s.end()) {
                long from = s.offset();
                long to = sendIntoDir(session, t, s, from, Math.min(s.end(), from + t.options.checkpointBytes()), false,
                        null, null);
                s.offset(to);
                t.checkpoint(s, to);
                listener.checkpoint(t, s.index, Math.min(to, s.end()));
            }
        } else {
            long from = serverOffset(session, t);
            // A server without a hash cannot tell a copy of bytes read while the file was rewritten (and then put
            // back): the SHA-256 of what went out, beside the source's, can (UploadPublisher.verify) -- when every
            // byte it holds was sent by this run, whose digest after each write resumes a cut stream.
            SentSha256 sent = null;
            if (t.size > 0 && t.size <= INLINE_DIGEST_MAX && t.sentSource != null && t.sentSource.sha256() != null
                    && Hashing.digestFor(t) == null) {
                sent = t.sentSoFar != null ? t.sentSoFar : new SentSha256();
                t.sentSoFar = sent;
                long back = sent.resumeAt(from);
                // APPE appends at the server's size only.
                from = back == from || t.capabilities.storeRestart() ? back : sent.resumeAt(0);
            }
            s.offset(from);
            if (t.strategy == UploadStrategy.SEQUENTIAL) {
                s.confirmed(from);
            }
            if (from > 0 && t.firstResume()) {
                // A sequential upload learns what is already there from the server, not from the ledger.
                listener.resumed(t, from);
            }
            if (from < t.size || t.size == 0) {
                boolean append = from > 0 && !t.capabilities.storeRestart();
                // A small file in one stream: hash what goes out, so verifying need not read it again on a thread of
                // its own. Not a big one: hashing in this loop would slow the stream to the digest's speed (about
                // 300 MB/s for SHA-256 without SHA instructions), where hashing after it runs beside the server's.
                // Nor when the source's planned SHA-256 is what the server's hash is compared with (HashCheck).
                MessageDigest digest = from == 0 && t.size <= INLINE_DIGEST_MAX ? Hashing.digestFor(t) : null;
                boolean small = digest != null;
                if (small && HashCheck.planned(t, digest.getAlgorithm()) != null) {
                    digest = null;
                }
                t.sentDigest = null;
                StreamCheck check = from == 0 && !small ? StreamCheck.start(pool, t, s) : null;
                t.streamCheck = check;
                long to;
                try {
                    to = sendIntoDir(session, t, s, from, t.size, append, digest, sent);
                } catch (IOException | RuntimeException e) {
                    if (check != null) {
                        check.abandon();
                    }
                    throw e;
                }
                if (check != null) {
                    check.ended();
                }
                s.offset(to);
                if (digest != null && to == t.size) {
                    t.sentDigest = HexFormat.of().formatHex(digest.digest());
                }
            }
            // Also when nothing was left to send: a stream of this run sent the last byte and lost the 226.
            t.sentSha256 = sent != null && sent.position() == t.size ? sent.hex() : null;
        }
        t.segmentDone(s);
        listener.checkpoint(t, s.index, s.end());
    }

    /**
     * Sends the first bytes of segment 0 with a plain STOR from byte 0, which creates the temporary file: every
     * later STOR then starts above byte 0 and writes in place, where a STOR at 0 would truncate the others' bytes.
     * Only {@link #PRIME_BYTES}: the other segments wait for it, so a whole chunk here would be one chunk's time
     * (1 s at 4 MiB/s per connection) of a single stream.
     */
    void prime(FtpSession session, LiveTransfer t) throws IOException {
        LiveSegment first = t.segment(0);
        long to = sendIntoDir(session, t, first, 0,
                Math.min(first.end(), Math.min(PRIME_BYTES, t.options.checkpointBytes())), false, null, null);
        first.offset(to);
        t.checkpoint(first, to);
        if (to >= first.end()) {
            t.segmentDone(first);
        }
    }

    /** The server's SIZE wins over our own memory; a RESTART server keeps nothing worth resuming. */
    private static long serverOffset(FtpSession session, LiveTransfer t) throws IOException {
        if (t.strategy == UploadStrategy.RESTART || !t.serverHasOurBytes) {
            // A fresh plan starts at 0 whatever a stale temporary file holds: no SIZE needed, and nothing of
            // another version can be spliced in.
            t.serverHasOurBytes = true;
            return 0;
        }
        try {
            long there = session.size(t.remoteWork);
            return there >= 0 && there <= t.size ? there : 0;
        } catch (RemoteNotFoundException e) {
            return 0;
        }
    }

    /**
     * {@link #send}, into a directory the session may only remember making: it skips MKD for a directory it made
     * before (a burst of drops asks once), so when the server refuses the path, the directory is made again and the
     * bytes are sent once more. A refusal for any other cause stays a failure.
     */
    private long sendIntoDir(FtpSession session, LiveTransfer t, LiveSegment s, long from, long to, boolean append,
                             MessageDigest digest, SentSha256 sent) throws IOException {
        String dir = PathGuard.remoteParent(t.remoteWork);
        boolean remembered = session.knowsDir(dir);
        session.mkdirs(dir);
        try {
            return send(session, t, s, from, to, append, digest, sent);
        } catch (FtpException e) {
            int code = e.replyCode();
            if (!remembered || (code != 550 && code != 551 && code != 553)) {
                throw e;
            }
            session.mkdirs(dir);
            if (digest != null) {
                digest.reset();
            }
            if (sent != null) {
                sent.resumeAt(from);
            }
            return send(session, t, s, from, to, append, digest, sent);
        }
    }

    private long send(FtpSession session, LiveTransfer t, LiveSegment s, long from, long to, boolean append,
                      MessageDigest digest, SentSha256 sent) throws IOException {
        t.checkNotCancelled();
        OutputStream out = append ? session.append(t.remoteWork) : session.store(t.remoteWork, from);
        // A cancel cuts the data connection rather than close the stream, which could wait on a blocked write.
        java.io.Closeable cutter = session.cutter(out);
        t.inFlight(cutter, true);
        if (t.cancelled()) {
            // A cancel that came while the connection opened did not see this stream.
            session.abandon(out);
            t.inFlight(cutter, false);
            throw new CancelledException(t.id());
        }
        // No bigger than what this stream sends: a 64 KiB buffer allocated (and zeroed) for every 10 KiB file of a
        // tree was a tenth of a lane's CPU.
        ByteBuffer buffer = ByteBuffer.allocate(Buffers.size(to - from, BUFFER));
        long pos = from;
        try (StalledWrites.Watch watch = stalls.watch(session, out, t)) {
            while (true) {
                int want = (int) Math.min(buffer.capacity(), to - pos);
                // A thief may lower a parallel segment's end while the chunk is on its way: stop there. The claim
                // keeps it from splitting below bytes this stream is about to send.
                if (want > 0 && t.strategy == UploadStrategy.PARALLEL) {
                    want = s.claim(pos, want);
                }
                if (want <= 0) {
                    break;
                }
                buffer.clear().limit(want);
                int n = read(t, buffer, pos);
                if (t.rateLimiter != null) {
                    t.rateLimiter.acquire(n, t);
                }
                t.requireLeaseFresh();
                try {
                    watch.writing();
                    out.write(buffer.array(), 0, n);
                    watch.wrote();
                } catch (IOException e) {
                    t.checkNotCancelled();
                    throw new FtpException("upload to " + t.remotePath() + " interrupted at byte " + pos + ": "
                            + (watch.ended() ? "the server took no byte for " + watch.timeout() : e.getMessage()),
                            0, true, e);
                }
                if (digest != null) {
                    digest.update(buffer.array(), 0, n);
                }
                if (sent != null) {
                    sent.update(buffer.array(), 0, n);
                }
                pos += n;
                t.moved(n);
                if (t.strategy != UploadStrategy.PARALLEL) {
                    // Shown progress only: a sequential resume asks the server's SIZE anyway.
                    s.offset(pos);
                }
            }
        } catch (Throwable e) {
            // Any failure, not only I/O (a ledger write, a bug): the stream must not stay open on a pooled session.
            session.abandon(out);
            throw e;
        } finally {
            t.inFlight(cutter, false);
        }
        session.endWrite(out);
        return pos;
    }

    private static int read(LiveTransfer t, ByteBuffer buffer, long position) throws IOException {
        try {
            int n = t.local.read(buffer, position);
            if (n <= 0) {
                throw new SourceChangedException("the local file " + t.workFile + " ended at byte " + position
                        + ", before its planned size " + t.size + ": it changed while uploading");
            }
            return n;
        } catch (SourceChangedException e) {
            throw e;
        } catch (IOException e) {
            throw LocalFileException.reading(t.workFile, e);
        }
    }
}
