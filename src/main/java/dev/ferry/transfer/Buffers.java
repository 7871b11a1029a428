package dev.ferry.transfer;

/** How big a copy loop's buffer is: what it will move, within a floor and a ceiling. */
final class Buffers {
    /** A read of a few bytes more costs nothing; a buffer this small is not worth sizing down further. */
    static final int FLOOR = 4 * 1024;

    private Buffers() {
    }

    /**
     * A buffer for {@code bytes} bytes, at most {@code max}: a tree of small files allocated (and zeroed) a 64 KiB
     * buffer per file, more memory traffic than the file itself.
     */
    static int size(long bytes, int max) {
        return (int) Math.max(FLOOR, Math.min(max, bytes));
    }
}
