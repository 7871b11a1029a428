package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The server's hash of its copy beside ours of the local file, the two computed at the same time. Ours is, without a
 * read of its own, the SHA-256 an upload's source was planned with where the server's hash is SHA-256 (the check
 * before the rename then proves the file still has it), else the digest of the bytes as they were sent when one
 * stream carried a whole small file; else the local file is read. Both publishers use it; each decides what to throw
 * away on a mismatch.
 *
 * @param of what {@code local} is the digest of, when not the local file read now
 */
record HashCheck(String algorithm, String server, String local, String of) {
    private static final String SENT = "the bytes as sent";
    private static final String PLANNED = "the source as planned";

    /**
     * The SHA-256 the upload's source was planned with (small files: {@link dev.ferry.source.SourceState}), when
     * {@code algorithm} is SHA-256: then neither the stream nor the check need hash the file again.
     */
    static String planned(LiveTransfer t, String algorithm) {
        return "SHA-256".equals(algorithm) && t.sentSource != null ? t.sentSource.sha256() : null;
    }

    /**
     * Null when checksums are off, or the server offers no hash for this file (a 5xx: not supported). A transient
     * refusal (4xx) is thrown, so the publish is retried and fails rather than falling back to the size alone.
     */
    static HashCheck run(LiveTransfer t, FtpSession session, String remotePath) throws IOException {
        String algorithm = t.options.verifyChecksum() ? t.capabilities.bestHash() : null;
        if (algorithm == null) {
            return null;
        }
        String planned = planned(t, algorithm);
        String sent = planned != null ? planned : t.sentDigest;
        String of = planned != null ? PLANNED : sent != null ? SENT : null;
        CompletableFuture<String> local = sent != null ? CompletableFuture.completedFuture(sent)
                : Hashing.start(t.workFile, algorithm);
        String server;
        try {
            server = session.hash(remotePath, algorithm);
        } catch (IOException e) {
            // A 4xx (busy) or a cut: the caller's retry asks again; the local digest is started afresh then.
            local.cancel(true);
            throw e;
        }
        if (server == null) {
            local.cancel(true);
            return null;
        }
        return new HashCheck(algorithm, server, Hashing.join(local), of);
    }

    boolean matches() {
        return server.equalsIgnoreCase(local);
    }

    /** How the check reads in a result: "SHA-256 from the server", and what it was compared with. */
    String verification() {
        return algorithm + " from the server" + (of != null ? " (against " + of + ")" : "");
    }

    String describe() {
        return "server " + algorithm + " " + server + (of != null ? ", of " + of + " " : ", local ") + local;
    }
}
