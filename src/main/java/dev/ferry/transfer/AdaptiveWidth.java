package dev.ferry.transfer;

/**
 * How many connections one transfer should use, learned while it runs: more while each addition raises the total
 * rate, back to the width the rate paid for once an addition did not. It knows nothing of FTP or threads: it is fed
 * the time and the bytes moved so far with how many connections moved them, and answers how many to open (positive)
 * or to retire (negative), so it can be driven by a simulated clock.
 *
 * <p>A server that limits each connection (vsftpd's {@code local_max_rate}) rewards every addition in full; a link
 * shared by all connections rewards none once it is full. The rate per connection measured before an addition says
 * what each added connection should bring; the gain that shows says how many of them it paid for, counting one whose
 * worth showed for at least {@link #PAYS} of a connection, once the gain as a whole is at least {@link #PAYS} of what
 * the width before it moved, or as many connections as were added if fewer (less is a full link's noise). An addition
 * that paid in full is kept and the width grows again, the first time to four times the planned width (a 256 MiB
 * file on a server that limits each connection reaches 16 connections in one probe, about a second, instead of two):
 * the probe costs only logins where the link is full, since the connections it retires moved their share meanwhile.
 * One that paid in part keeps the connections it paid for, retires the rest, and goes on one connection at a time (the
 * link is nearly full); one that paid for none is retired and the width held.
 *
 * <p>Every change of width restarts the measurement: the first {@code settle} after it is not counted (logins, the
 * first RETR, TCP windows opening), then one {@code window} of bytes is the rate at that width. New connections still
 * opening their TCP window bring less than their worth in that window; {@link #PAYS_IN_FULL} leaves room for that.
 */
final class AdaptiveWidth {
    /** Most connections per transfer unless configured ({@code ferry.segments.max}). */
    static final int DEFAULT_CEILING = 16;
    /** Share of one added connection's expected worth that must show for it to be counted as paid for. */
    static final double PAYS = 0.25;
    /** Above this share of the expected gain every added connection is kept and the width grows again. */
    static final double PAYS_IN_FULL = 0.75;
    /** The first probe takes the width to this many times the planned one; later ones double it. */
    static final int FIRST_GROWTH = 4;

    private enum Phase { BASELINE, PROBING, HELD }

    private final int ceiling;
    private final long settleNanos;
    private final long windowNanos;
    private Phase phase = Phase.BASELINE;
    /** The server's cap as this transfer met it: the width at which it refused one more, or the ceiling. */
    private int cap;
    private int lastOpen = -1;
    private long stableSince;
    private long windowStart = -1;
    private long windowBytes;
    private double baseRate;
    private int baseWidth;
    /** Connections the next probe adds once the width it starts from is measured. */
    private int nextStep = -1;
    /** Connections asked for and not yet seen open: counted as open, so a slow login is not asked for again. */
    private int asked;
    private long askedAt;
    private long lastSampleNanos;
    private double lastRate;

    AdaptiveWidth(int ceiling, long settleNanos, long windowNanos) {
        if (ceiling < 1) {
            throw new IllegalArgumentException("ceiling " + ceiling + " is below 1");
        }
        this.ceiling = ceiling;
        this.cap = ceiling;
        this.settleNanos = settleNanos;
        this.windowNanos = windowNanos;
    }

    /** Half a second of settling, half a second of measuring: what vsftpd's rate limit needs to read within 10 %. */
    static AdaptiveWidth withCeiling(int ceiling) {
        return new AdaptiveWidth(ceiling, 300_000_000L, 500_000_000L);
    }

    /**
     * One sample: at {@code nanos}, {@code bytes} moved so far in total by this transfer, {@code open} connections
     * moving. Returns how many connections to open (positive), retire (negative) or 0.
     */
    synchronized int sample(long nanos, long bytes, int open) {
        lastSampleNanos = nanos;
        if (open != lastOpen) {
            if (open > lastOpen && lastOpen >= 0) {
                asked = Math.max(0, asked - (open - lastOpen));
            }
            lastOpen = open;
            stableSince = nanos;
            windowStart = -1;
        }
        if (phase == Phase.HELD || open == 0 || nanos - stableSince < settleNanos) {
            return 0;
        }
        if (windowStart < 0) {
            windowStart = nanos;
            windowBytes = bytes;
            return 0;
        }
        if (nanos - windowStart < windowNanos) {
            return 0;
        }
        double rate = (bytes - windowBytes) * 1e9 / (nanos - windowStart);
        lastRate = rate;
        windowStart = nanos;
        windowBytes = bytes;
        if (asked > 0 && nanos - askedAt > 4 * (settleNanos + windowNanos)) {
            // A login that takes this long, or a connection that ended as another opened: decide on what is open.
            asked = 0;
        }
        if (asked > 0) {
            // Still waiting for connections asked for: this width is not the one being probed.
            return 0;
        }
        if (phase == Phase.BASELINE || open <= baseWidth) {
            // The first measurement, a width pruned to what paid, or additions that never opened (the server's cap,
            // or no work left to split).
            return measuredThenGrow(rate, open, nextStep < 0 ? (FIRST_GROWTH - 1) * open : nextStep);
        }
        int added = open - baseWidth;
        double perConnection = baseRate / baseWidth;
        double gain = rate - baseRate;
        if (perConnection > 0 && gain >= PAYS_IN_FULL * added * perConnection) {
            nextStep = open;
            return measuredThenGrow(rate, open, nextStep);
        }
        // Below a quarter of what the width before moved (what a doubling has to show), a gain is not told apart
        // from a full link's noise, however many connections were added.
        if (perConnection <= 0 || gain < PAYS * Math.min(added, baseWidth) * perConnection) {
            // The addition did not pay: back to the width that did, and stay there.
            phase = Phase.HELD;
            return -added;
        }
        // The link filled on the way up: keep what it paid for, measure that width, then try one more at a time.
        nextStep = 1;
        int paidFor = (int) Math.max(1, Math.min(added, Math.ceil(gain / perConnection - PAYS)));
        if (paidFor == added) {
            return measuredThenGrow(rate, open, nextStep);
        }
        baseWidth += paidFor;
        return -(added - paidFor);
    }

    /** This width and its rate are the base the next probe is measured against; then the probe. */
    private int measuredThenGrow(double rate, int open, int step) {
        baseRate = rate;
        baseWidth = open;
        return grow(open, step);
    }

    private int grow(int open, int step) {
        int n = Math.min(step, Math.min(ceiling, cap) - open);
        if (n <= 0) {
            phase = Phase.HELD;
            return 0;
        }
        phase = Phase.PROBING;
        asked = n;
        askedAt = lastSampleNanos;
        return n;
    }

    /**
     * A connection asked for could not be opened: the server refused it (421) or its cap, as the pool knows it, is
     * taken. The width stays where it is, without an error: this is where the server wants it.
     */
    synchronized void atLimit(int open) {
        cap = Math.max(1, Math.min(cap, open));
        asked = 0;
    }

    /** A connection asked for was not opened for want of work to give it (the transfer is nearly done). */
    synchronized void notOpened() {
        asked = Math.max(0, asked - 1);
    }

    /** Bytes per second over the last full window (0 before the first). */
    synchronized double lastRate() {
        return lastRate;
    }

    synchronized boolean held() {
        return phase == Phase.HELD;
    }

    synchronized int cap() {
        return Math.min(ceiling, cap);
    }
}
