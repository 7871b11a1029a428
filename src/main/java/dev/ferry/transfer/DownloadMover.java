package dev.ferry.transfer;

import dev.ferry.ftp.FtpException;
import dev.ferry.ftp.FtpSession;
import dev.ferry.progress.TransferListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * RETR from the segment's offset into the part file at the same position. FTP cannot say where to stop, so it
 * reads exactly to the segment's end (which a thief may move down meanwhile), then closes the data connection
 * and lets the session drain the server's reply to the early close.
 */
final class DownloadMover implements SegmentMover {
    private static final int BUFFER = 64 * 1024;
    /**
     * A segment that goes on from bytes already in the part file (an earlier run's, or before a dropped connection)
     * reads this much before its offset again and compares it with the part file: a remote file replaced with its size
     * and time kept (a rewrite within the same second, {@code touch -r}) was otherwise spliced onto the old version's
     * bytes and, on a server without a hash, published as verified by size and time.
     */
    static final int OVERLAP = 64 * 1024;
    private final TransferListener listener;

    DownloadMover(TransferListener listener) {
        this.listener = listener;
    }

    @Override
    public void move(FtpSession session, LiveTransfer t, LiveSegment s) throws IOException {
        long pos = s.offset();
        if (pos < s.end()) {
            // read() forces what it wrote before it returns: a second force here would cost a disk flush per file.
            pos = read(session, t, s, pos);
        } else {
            force(t);
        }
        if (pos < s.end()) {
            throw new SourceChangedException("the server ended " + t.remotePath() + " at byte " + pos
                    + ", before the planned size " + t.size + ": the remote file changed, or the server ended the"
                    + " transfer early");
        }
        t.segmentDone(s);
        listener.checkpoint(t, s.index, s.end());
    }

    private long read(FtpSession session, LiveTransfer t, LiveSegment s, long pos) throws IOException {
        t.checkNotCancelled();
        int again = (int) Math.min(OVERLAP, pos - s.start);
        long asked = pos - again;
        InputStream in = session.retrieve(t.remoteWork, asked);
        t.inFlight(in, true);
        if (t.cancelled()) {
            // A cancel that came while the connection opened did not see this stream.
            session.abandon(in);
            t.inFlight(in, false);
            throw new CancelledException(t.id());
        }
        TrickleWatch trickle = new TrickleWatch(t.profile.dataTimeout());
        if (again > 0) {
            try {
                requireSameBytes(in, t, pos - again, again, trickle);
            } catch (Throwable e) {
                session.abandon(in);
                t.inFlight(in, false);
                throw e;
            }
        }
        // No bigger than the segment's bytes (a 64 KiB buffer allocated and zeroed per 10 KiB file of a tree was a
        // tenth of a lane's CPU); the end of the stream is then read with read() below.
        byte[] buffer = new byte[Buffers.size(s.end() - pos, BUFFER)];
        ByteBuffer wrapped = ByteBuffer.wrap(buffer);
        // A small file in one stream from byte 0: hash what is written, so verifying need not read the part file
        // again on a thread of its own (per file of a tree, that was most of the download's CPU). Not a big one:
        // hashing in this loop would slow the stream to the digest's speed, where hashing after it runs beside the
        // server's.
        t.sentDigest = null;
        MessageDigest digest = pos == 0 && s.end() == t.size && t.size <= UploadMover.INLINE_DIGEST_MAX
                && t.liveSegments().size() == 1 ? Hashing.digestFor(t) : null;
        Checkpoints checkpoints = new Checkpoints(t.options.checkpointBytes(), t.options.checkpointMillis());
        boolean eof = false;
        try {
            while (pos < s.end()) {
                int want = s.claim(pos, buffer.length);
                if (want == 0) {
                    break;
                }
                int n;
                long readAt = System.nanoTime();
                try {
                    n = in.read(buffer, 0, want);
                } catch (IOException e) {
                    t.checkNotCancelled();
                    throw new FtpException("download of " + t.remotePath() + " interrupted at byte " + pos + ": "
                            + e.getMessage(), 0, true, e);
                }
                trickle.read(System.nanoTime() - readAt, n, t, pos);
                if (n < 0) {
                    eof = true;
                    break;
                }
                if (t.rateLimiter != null) {
                    t.rateLimiter.acquire(n, t);
                }
                write(t, wrapped, n, pos);
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                pos += n;
                s.offset(pos);
                t.moved(n);
                if (checkpoints.due(n)) {
                    force(t);
                    t.checkpoint(s, pos);
                    listener.checkpoint(t, s.index, Math.min(pos, s.end()));
                }
            }
            // The last segment reads on to the end of the file, so the server can finish with a clean 226.
            if (!eof && pos == t.size) {
                eof = in.read() < 0;
                if (!eof) {
                    throw beyondPlannedSize(t, asked, pos);
                }
            }
            // What is on disk is recorded before the server's reply to the close: a server that ends the control
            // session when a data connection closes early then costs a new login, not the bytes since the last
            // checkpoint.
            force(t);
            t.checkpoint(s, pos);
        } catch (Throwable e) {
            // Any failure, not only I/O: a checkpoint refused by the ledger (a run a changed source or another node
            // ended meanwhile) left the stream open, so the session's QUIT waited behind the server's RETR for the
            // whole control timeout and the server went on sending into a socket nobody read.
            session.abandon(in);
            throw e;
        } finally {
            t.inFlight(in, false);
        }
        session.endRead(in, eof);
        if (digest != null && pos == t.size && s.end() == t.size && t.liveSegments().size() == 1) {
            t.sentDigest = HexFormat.of().formatHex(digest.digest());
        }
        return pos;
    }

    /**
     * More bytes than the file has, past its end: it grew, or the server answered REST with 350 and sent from byte 0
     * anyway (every segment but the first would then hold the file's head; only this one, which reads to the end, can
     * tell). Thrown before the segment's end is recorded, and as a changed source, so the next plan starts afresh from
     * nothing these bytes touched.
     */
    private static SourceChangedException beyondPlannedSize(LiveTransfer t, long asked, long pos) {
        return new SourceChangedException("the server sent more of " + t.remotePath() + " than its " + t.size
                + " bytes (asked from offset " + asked + ", still sending past byte " + pos + "): the remote file grew,"
                + " or the server ignores REST and sends from byte 0 (then download it in one segment: --segments 1, or"
                + " a request's \"options\": {\"segments\": 1});"
                + " the partial data is discarded");
    }

    private static void requireSameBytes(InputStream in, LiveTransfer t, long from, int length, TrickleWatch trickle)
            throws IOException {
        byte[] buffer = new byte[length];
        int read = 0;
        while (read < length) {
            long readAt = System.nanoTime();
            int n = in.read(buffer, read, length - read);
            trickle.read(System.nanoTime() - readAt, n, t, from + Math.max(0, read));
            if (n < 0) {
                break;
            }
            read += n;
        }
        byte[] remote = read == length ? buffer : java.util.Arrays.copyOf(buffer, read);
        t.moved(remote.length);
        ByteBuffer local = ByteBuffer.allocate(length);
        try {
            while (local.hasRemaining() && t.local.read(local, from + local.position()) >= 0) {
                // reads until full or the end of the part file
            }
        } catch (IOException e) {
            throw LocalFileException.reading(t.workFile, e);
        }
        if (remote.length < length || !java.util.Arrays.equals(remote, 0, length, local.array(), 0, length)) {
            throw new SourceChangedException("the bytes of " + t.remotePath() + " before byte " + (from + length)
                    + " differ from those fetched before, with its size and time unchanged: the remote file was"
                    + " replaced; the partial data is discarded");
        }
    }

    private static void write(LiveTransfer t, ByteBuffer buffer, int n, long position) throws LocalFileException {
        t.requireLeaseFresh();
        buffer.clear().limit(n);
        long at = position;
        try {
            while (buffer.hasRemaining()) {
                at += t.local.write(buffer, at);
            }
        } catch (IOException e) {
            throw LocalFileException.writing(t.workFile, e);
        }
    }

    /** Invariant 1: the bytes reach the disk before the ledger says they are there. */
    private static void force(LiveTransfer t) throws LocalFileException {
        try {
            t.local.force(false);
        } catch (IOException e) {
            throw LocalFileException.writing(t.workFile, e);
        }
    }
}
