package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The server's hash of its copy beside ours of the local file, the two computed at the same time. Ours is the digest
 * of the bytes as they were sent when one stream carried a whole small file (it is not read a second time). Both
 * publishers use it; each decides what to throw away on a mismatch.
 */
record HashCheck(String algorithm, String server, String local, boolean ofSentBytes) {

    /**
     * Null when checksums are off, or the server offers no hash for this file (a 5xx: not supported). A transient
     * refusal (4xx) is thrown, so the publish is retried and fails rather than falling back to the size alone.
     */
    static HashCheck run(LiveTransfer t, FtpSession session, String remotePath) throws IOException {
        String algorithm = t.options.verifyChecksum() ? t.capabilities.bestHash() : null;
        if (algorithm == null) {
            return null;
        }
        String sent = t.sentDigest;
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
        return new HashCheck(algorithm, server, Hashing.join(local), sent != null);
    }

    boolean matches() {
        return server.equalsIgnoreCase(local);
    }

    /** How the check reads in a result: "SHA-256 from the server", and what it was compared with. */
    String verification() {
        return algorithm + " from the server" + (ofSentBytes ? " (against the bytes as sent)" : "");
    }

    String describe() {
        return "server " + algorithm + " " + server + (ofSentBytes ? ", of the bytes sent " : ", local ") + local;
    }
}
