package dev.ferry.plan;

/**
 * What identifies one version of a source: its size and modification time (epoch millis, -1 when unknown).
 * A different fingerprint on resume means the source changed, and the partial data must not be spliced onto it.
 */
public record Fingerprint(long size, long mtime) {

    public boolean sameSourceAs(long otherSize, long otherMtime) {
        // A server without MDTM gives -1 both times: then size is all there is to compare.
        return size == otherSize && (mtime == otherMtime || mtime < 0 || otherMtime < 0);
    }
}
