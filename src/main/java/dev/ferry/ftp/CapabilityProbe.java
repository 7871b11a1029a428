package dev.ferry.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out once per server what it can do: FEAT, and two small write tests in the upload directory (does
 * REST+STOR write in place, does APPE append). Results are cached by {@link ServerProfile#key()}; a probe that
 * cannot write (no permission) reports the write features as absent rather than failing the transfer.
 *
 * <p>Only definitive answers are kept for good: success, or a 5xx refusal. A result that rests on a 4xx (disk full
 * for now, file busy) is used for the transfer at hand and probed again after {@link #DEFAULT_RECHECK}: a passing
 * refusal must not leave a server marked "cannot write" until the next start. Not never cached, because some servers
 * answer a lasting refusal with 4xx (proftpd without {@code AllowStoreRestart} answers 451 to REST+STOR), and a probe
 * per file would double the commands of a batch of small uploads.
 */
public final class CapabilityProbe {
    private static final Logger LOG = LoggerFactory.getLogger(CapabilityProbe.class);
    private static final byte[] BASE = "ferry-probe-0123".getBytes(StandardCharsets.US_ASCII);
    /** A range of BASE whose digest differs from the whole file's. */
    private static final int RANGE_START = 3;
    private static final int RANGE_END = 11;

    static final Duration DEFAULT_RECHECK = Duration.ofMinutes(1);

    private final Map<String, Capabilities> readCache = new ConcurrentHashMap<>();
    private final Map<String, Probed> writeCache = new ConcurrentHashMap<>();
    private final Map<String, Object> probing = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final long recheckNanos;
    private final CapabilityMemory memory;

    public CapabilityProbe() {
        this(CapabilityMemory.NONE);
    }

    /** A probe that also keeps its definitive upload answers in {@code memory}, for a later process. */
    public CapabilityProbe(CapabilityMemory memory) {
        this(System::nanoTime, DEFAULT_RECHECK, memory);
    }

    /** @param recheck how long a result that rests on a transient (4xx) answer is used before probing again */
    CapabilityProbe(LongSupplier nanoTime, Duration recheck) {
        this(nanoTime, recheck, CapabilityMemory.NONE);
    }

    private CapabilityProbe(LongSupplier nanoTime, Duration recheck, CapabilityMemory memory) {
        this.nanoTime = nanoTime;
        this.recheckNanos = recheck.toNanos();
        this.memory = memory;
    }

    /** Capabilities known without writing anything: enough for downloads. */
    public Capabilities read(FtpSession session) {
        return readCache.computeIfAbsent(session.profile().key(),
                k -> fromFeatures(session, false, false, false, false));
    }

    /** Cached result if any, so a new session can choose its charset before connecting. */
    public Boolean knownUtf8(ServerProfile profile) {
        Capabilities c = readCache.get(profile.key());
        return c == null ? null : c.utf8();
    }

    /** Full capabilities, probing writes in {@code directory} (which must exist) the first time. */
    public Capabilities forUpload(FtpSession session, String directory) throws IOException {
        Capabilities known = stillValid(session.profile().key());
        if (known != null) {
            return known;
        }
        // One probe per server at a time: a tree's lanes start together, and each would otherwise probe (three STORs,
        // a RETR, a HASH, a DELE) for the same answer while the others wait for the server.
        synchronized (probing.computeIfAbsent(session.profile().key(), k -> new Object())) {
            return probeOnce(session, directory);
        }
    }

    private Capabilities stillValid(String key) {
        Probed cached = writeCache.get(key);
        return cached != null && (cached.until == null || nanoTime.getAsLong() - cached.until < 0)
                ? cached.capabilities : null;
    }

    private Capabilities probeOnce(FtpSession session, String directory) throws IOException {
        Capabilities known = stillValid(session.profile().key());
        if (known != null) {
            return known; // probed by the caller this one waited for
        }
        long now = nanoTime.getAsLong();
        if (!writeCache.containsKey(session.profile().key())) {
            Capabilities recalled = memory.recall(session.profile());
            if (recalled != null) {
                writeCache.put(session.profile().key(), new Probed(recalled, null));
                return recalled;
            }
        }
        Transient transientAnswer = new Transient();
        Capabilities probed = probeWrites(session, directory, transientAnswer);
        writeCache.put(session.profile().key(), new Probed(probed, transientAnswer.seen ? now + recheckNanos : null));
        if (transientAnswer.seen) {
            LOG.info("server {} capabilities for now (a transient refusal; probed again in {} s): {}",
                    session.profile().name(), Duration.ofNanos(recheckNanos).toSeconds(), probed);
        } else {
            LOG.info("server {} capabilities: {}", session.profile().name(), probed);
            memory.remember(session.profile(), probed);
        }
        return probed;
    }

    /** A probe result; {@code until} (nanoTime) is null for a definitive one, kept for good. */
    private record Probed(Capabilities capabilities, Long until) {
    }

    /** Set when any answer the result rests on was a 4xx. */
    private static final class Transient {
        boolean seen;

        void note(FtpException e) {
            seen |= e.replyCode() >= 400 && e.replyCode() < 500;
        }
    }

    private Capabilities probeWrites(FtpSession session, String directory, Transient transientAnswer)
            throws IOException {
        String dir = directory.endsWith("/") ? directory : directory + "/";
        String name = dir + ".ferry-probe-" + Long.toHexString(System.nanoTime());
        boolean storeRestart = false;
        boolean inPlace = false;
        boolean append = false;
        boolean rangeHash = false;
        try {
            write(session, name, 0, false, BASE);
            rangeHash = hashesRanges(session, name);
            try {
                write(session, name, 4, false, new byte[] {'X'});
                byte[] now = read(session, name);
                // REST's 350 and STOR's 226 say nothing of where the byte went: a server that ignores REST writes it
                // at byte 0, and resuming an upload there with REST put its rest at the file's start (a hostile review;
                // caught by the size, the upload failed at every interruption where APPE would have resumed it).
                storeRestart = now.length >= 5 && now[4] == 'X';
                inPlace = storeRestart && now.length == BASE.length && now[5] == BASE[5];
                if (inPlace) {
                    inPlace = writesBeyondEnd(session, name);
                }
            } catch (FtpException e) {
                if (!e.isTransient() || e.replyCode() >= 400) {
                    transientAnswer.note(e);
                    LOG.debug("REST+STOR refused on {}: {}", session.profile().name(), e.getMessage());
                } else {
                    throw e;
                }
            }
            try {
                long before = session.size(name);
                write(session, name, 0, true, new byte[] {'Z'});
                append = before >= 0 && session.size(name) == before + 1;
            } catch (FtpException e) {
                if (e.replyCode() == 0) {
                    throw e;
                }
                transientAnswer.note(e);
                LOG.debug("APPE refused on {}: {}", session.profile().name(), e.getMessage());
            }
        } catch (FtpException e) {
            if (e.replyCode() == 0) {
                throw e;
            }
            transientAnswer.note(e);
            LOG.warn("server {}: cannot write a probe file in {} ({}); uploads will start over when interrupted{}",
                    session.profile().name(), directory, e.getMessage(),
                    transientAnswer.seen ? " until it is probed again" : "");
        } finally {
            if (!session.isBroken()) {
                try {
                    session.delete(name);
                } catch (IOException ignored) {
                    // A leftover probe file is harmless; the session is dropped if it broke.
                }
            }
        }
        return fromFeatures(session, storeRestart, inPlace, append, rangeHash);
    }

    /**
     * Whether the X* command of the best hash answers for a byte range of the probe file with that range's digest:
     * a server that ignored the range would hash the whole file, and every range of a stream would look damaged.
     */
    private boolean hashesRanges(FtpSession session, String name) throws IOException {
        String algorithm = read(session).bestHash();
        if (algorithm == null || !session.features().has(Capabilities.xCommand(algorithm))) {
            return false;
        }
        String expected;
        try {
            expected = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(
                    Arrays.copyOfRange(BASE, RANGE_START, RANGE_END)));
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
        try {
            return expected.equals(session.hashRange(name, algorithm, RANGE_START, RANGE_END));
        } catch (FtpException e) {
            if (e.replyCode() == 0) {
                throw e;
            }
            return false;
        }
    }

    /**
     * A parallel upload's segments start at offsets the temporary file has not reached yet. proftpd 1.3.8 refuses
     * {@code REST n} + {@code STOR} beyond the file's current end ({@code 554 REST: invalid ... argument}), so
     * writing in place is not enough: the offset past the end must be accepted too.
     */
    private static boolean writesBeyondEnd(FtpSession session, String name) throws IOException {
        long past = BASE.length + 8;
        try {
            write(session, name, past, false, new byte[] {'Y'});
            return session.size(name) == past + 1;
        } catch (FtpException e) {
            if (e.replyCode() == 0) {
                throw e;
            }
            LOG.info("server {} writes REST+STOR in place but refuses an offset past the end of the file ({}):"
                    + " no parallel upload", session.profile().name(), e.getMessage());
            return false;
        }
    }

    private static void write(FtpSession s, String path, long offset, boolean append, byte[] data) throws IOException {
        OutputStream out = append ? s.append(path) : s.store(path, offset);
        try {
            out.write(data);
        } catch (IOException e) {
            s.abandon(out);
            throw new FtpException("probe write to " + path + " failed", 0, true, e);
        }
        s.endWrite(out);
    }

    private static byte[] read(FtpSession s, String path) throws IOException {
        InputStream in = s.retrieve(path, 0);
        byte[] all;
        try {
            all = in.readNBytes(BASE.length + 8);
        } catch (IOException e) {
            s.abandon(in);
            throw new FtpException("probe read of " + path + " failed", 0, true, e);
        }
        s.endRead(in, true);
        return all;
    }

    private static Capabilities fromFeatures(FtpSession s, boolean storeRestart, boolean inPlace, boolean append,
                                             boolean rangeHash) {
        Features f = s.features();
        Set<String> x = new HashSet<>();
        for (String c : new String[] {"XSHA256", "XSHA512", "XSHA1", "XMD5"}) {
            if (f.has(c)) {
                x.add(c);
            }
        }
        return new Capabilities(s.utf8(), f.has("SIZE"), f.has("MDTM"), f.has("MLST"), f.restStream(),
                f.has("RANG"), f.hashAlgorithms(), x, storeRestart, inPlace, append, rangeHash);
    }
}
