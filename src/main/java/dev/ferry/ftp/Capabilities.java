package dev.ferry.ftp;

import java.util.Locale;
import java.util.Set;

/**
 * What one server can do, from FEAT and from small write tests in the probe.
 *
 * @param utf8          names travel as UTF-8 (FEAT UTF8 or an accepted {@code OPTS UTF8 ON})
 * @param hashes        algorithms of the HASH command (FEAT {@code HASH SHA-256;MD5…}), upper case
 * @param xHashes       the X* hash commands FEAT lists: XSHA256, XSHA1, XMD5
 * @param storeRestart  {@code REST n} + {@code STOR} is accepted
 * @param storeInPlace  {@code REST n} + {@code STOR} writes in place without truncating the rest, also past the end
 * @param append        {@code APPE} works
 * @param rangeHash     the X* command of {@link #bestHash()} hashes a byte range ({@code XSHA256 path start end}),
 *                      checked on the probe file: a long upload is then verified range by range while it streams
 */
public record Capabilities(
        boolean utf8,
        boolean size,
        boolean mdtm,
        boolean mlst,
        boolean restStream,
        boolean rang,
        Set<String> hashes,
        Set<String> xHashes,
        boolean storeRestart,
        boolean storeInPlace,
        boolean append,
        boolean rangeHash) {

    public Capabilities {
        hashes = Set.copyOf(hashes);
        xHashes = Set.copyOf(xHashes);
    }

    /** The strategy AUTO stands for on this server. */
    public UploadStrategy bestUpload() {
        if (storeInPlace) {
            return UploadStrategy.PARALLEL;
        }
        if (storeRestart || append) {
            return UploadStrategy.SEQUENTIAL;
        }
        return UploadStrategy.RESTART;
    }

    /** The strongest whole-file hash the server offers, as a {@link java.security.MessageDigest} name, or null. */
    public String bestHash() {
        for (String algorithm : new String[] {"SHA-256", "SHA-512", "SHA-1", "MD5"}) {
            if (hashes.contains(algorithm) || xHashes.contains(xCommand(algorithm))) {
                return algorithm;
            }
        }
        return null;
    }

    /** XSHA256 for SHA-256 and so on. */
    static String xCommand(String algorithm) {
        return "X" + algorithm.replace("-", "").toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "utf8=" + utf8 + " size=" + size + " mdtm=" + mdtm + " mlst=" + mlst + " rest=" + restStream
                + " rang=" + rang + " hashes=" + hashes + " x=" + xHashes + " storeRestart=" + storeRestart
                + " storeInPlace=" + storeInPlace + " append=" + append + " rangeHash=" + rangeHash
                + " upload=" + bestUpload();
    }
}
