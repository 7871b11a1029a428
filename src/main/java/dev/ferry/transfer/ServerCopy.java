package dev.ferry.transfer;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.RemoteNotFoundException;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.source.SameBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Whether a file on the server holds a local file's bytes: by the server's hash of it beside ours, or, on a server
 * without one, for a small file by reading it back. Asked where sending would be the alternative: an upload's
 * final name found taken after a crash, or a sent file whose change time alone moved since.
 */
public final class ServerCopy {
    /** The largest file whose existing remote copy is hashed on both sides to tell whether it is this file. */
    private static final long HASHED_MAX = 64L << 20;
    /**
     * Without a server hash, the largest remote copy read back to compare: every batch file (1 MiB by default),
     * whose rows a kill before the batch's commit loses while its copy is already in place.
     */
    private static final long READ_BACK_MAX = 8L << 20;

    private ServerCopy() {
    }

    /** The remote file has this file's size and bytes (hashed up to 64 MiB, read back up to 8 MiB). */
    static boolean hasBytesOf(FtpSession session, Capabilities caps, String remote, Path source, long size)
            throws IOException {
        return hasBytesOf(session, caps, remote, source, size, HASHED_MAX);
    }

    /**
     * Whether {@code remote}, a file an upload published, still holds its local file's bytes -- for a file of any size
     * where the server has a hash (else it would be sent whole again), up to 8 MiB read back where it has none.
     */
    public static SameBytes published(TransferEngine engine, String server, String remote) {
        return (file, size) -> unlessFailed(() -> {
            ServerProfile profile = engine.profiles().get(server);
            FtpSession session = engine.pool().borrow(profile);
            try {
                return hasBytesOf(session, engine.pool().probe().read(session), remote, file, size, Long.MAX_VALUE);
            } finally {
                engine.pool().release(session);
            }
        });
    }

    /** {@link #published} through a session the caller holds: an upload's copy before its rename. */
    static SameBytes sent(FtpSession session, Capabilities caps, String remote) {
        return (file, size) -> unlessFailed(() -> hasBytesOf(session, caps, remote, file, size, Long.MAX_VALUE));
    }

    private interface Look {
        boolean get() throws IOException;
    }

    /**
     * A comparison that could not be made (the server busy or gone, the file unreadable) is no proof: false, so the
     * caller sends the file again, whose own retries and messages deal with what failed here. An interrupt stops.
     */
    private static boolean unlessFailed(Look look) throws IOException {
        try {
            return look.get();
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return false;
        }
    }

    private static boolean hasBytesOf(FtpSession session, Capabilities caps, String remote, Path source, long size,
                                      long hashedMax) throws IOException {
        String algorithm = caps.bestHash();
        if (size > (algorithm != null ? hashedMax : READ_BACK_MAX)) {
            return false;
        }
        try {
            if (session.size(remote) != size) {
                return false;
            }
        } catch (RemoteNotFoundException e) {
            return false;
        }
        if (algorithm == null) {
            return readBack(session, remote, source, size);
        }
        String server = session.hash(remote, algorithm);
        return server != null && server.equalsIgnoreCase(Hashing.of(source, algorithm));
    }

    private static boolean readBack(FtpSession session, String remote, Path source, long size) throws IOException {
        InputStream in = session.retrieve(remote, 0);
        String read = null;
        try {
            read = Hashing.of(in, "SHA-256", size);
        } finally {
            session.endRead(in, read != null);
        }
        return read != null && read.equals(Hashing.of(source, "SHA-256"));
    }
}
