package dev.ferry.transfer;

import dev.ferry.ftp.FtpSession;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The server's hash of its copy beside ours of the local file, the two computed at the same time. Both publishers
 * use it; each decides what to throw away on a mismatch.
 */
record HashCheck(String algorithm, String server, String local) {

    /** Null when checksums are off, or the server offers no hash for this file. */
    static HashCheck run(LiveTransfer t, FtpSession session, String remotePath) throws IOException {
        String algorithm = t.options.verifyChecksum() ? t.capabilities.bestHash() : null;
        if (algorithm == null) {
            return null;
        }
        CompletableFuture<String> local = Hashing.start(t.workFile, algorithm);
        String server = session.hash(remotePath, algorithm);
        if (server == null) {
            local.cancel(true);
            return null;
        }
        return new HashCheck(algorithm, server, Hashing.join(local));
    }

    boolean matches() {
        return server.equalsIgnoreCase(local);
    }

    String describe() {
        return "server " + algorithm + " " + server + ", local " + local;
    }
}
