package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * Gives the embedded server the HASH command (SHA-256 only, listed in FEAT as proftpd does), and refuses it on cue:
 * the next {@code n} HASH commands get a given reply instead of the hash (450 "busy" or 502 "not supported").
 * Apache FtpServer has no HASH of its own.
 */
public final class HashCommand extends DefaultFtplet {
    private static final String[] FEAT = {"Extensions supported", " SIZE", " MDTM", " REST STREAM", " UTF8", " EPRT",
            " EPSV", " HASH SHA-256*", "End"};
    private final AtomicInteger refusalsLeft = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile int refusalCode;
    private volatile String refusalText;

    /** The next {@code n} HASH commands are answered {@code code text} (n &lt; 0: all of them). */
    public HashCommand refuse(int n, int code, String text) {
        refusalCode = code;
        refusalText = text;
        refusalsLeft.set(n < 0 ? Integer.MAX_VALUE : n);
        return this;
    }

    /** HASH commands answered with a hash. */
    public int answered() {
        return answered.get();
    }

    /** HASH commands refused on cue. */
    public int refused() {
        return refused.get();
    }

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
        String command = request.getCommand();
        if ("FEAT".equals(command)) {
            session.write(new DefaultFtpReply(211, FEAT));
            return FtpletResult.SKIP;
        }
        if ("OPTS".equals(command) && request.hasArgument() && request.getArgument().toUpperCase().startsWith("HASH")) {
            session.write(new DefaultFtpReply(200, "SHA-256"));
            return FtpletResult.SKIP;
        }
        if (!"HASH".equals(command)) {
            return super.beforeCommand(session, request);
        }
        if (refusalsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refused.incrementAndGet();
            session.write(new DefaultFtpReply(refusalCode, refusalText));
            return FtpletResult.SKIP;
        }
        FtpFile file = session.getFileSystemView().getFile(request.getArgument());
        if (file == null || !file.isFile()) {
            session.write(new DefaultFtpReply(550, request.getArgument() + ": no such file"));
            return FtpletResult.SKIP;
        }
        String hex;
        try (InputStream in = file.createInputStream(0)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            hex = HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        answered.incrementAndGet();
        session.write(new DefaultFtpReply(213, "SHA-256 0-" + file.getSize() + " " + hex + " "
                + file.getAbsolutePath()));
        return FtpletResult.SKIP;
    }
}
